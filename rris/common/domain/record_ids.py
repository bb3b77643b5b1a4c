"""The range of record ids: whole numbers from 1 to 2^31-1, the range of the INTEGER keys.

Primary keys are INTEGER columns: 32 bits on PostgreSQL, which refuses a larger parameter
("integer out of range"), while SQLite's driver cannot even bind one beyond 64 bits
(OverflowError). A number outside the range names no record, so the edges refuse it before any
query, alike on both databases: a 404 in a URL (`rris.common.web.ids`), an invalid field in a
body or a form (`rris.common.services.request_shapes.RecordId`).
"""

from __future__ import annotations

MAX_ID = 2**31 - 1  # an INTEGER primary key's largest value
