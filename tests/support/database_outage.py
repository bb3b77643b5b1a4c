"""The database stops answering one side of a test: the signalling service's worker thread.

Every statement that thread sends fails as it would on a dropped connection (`OperationalError`),
before it reaches the database, so the test's transaction stays intact; the portal's side of the
test (the main thread) still reaches the database, as a portal on another machine would while the
signalling node has lost its way to it. A fault at SQLAlchemy's own seam, not a fake of our code.

    with database_outage():
        ...  # the service cannot read the roster or write records
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import event
from sqlalchemy.exc import OperationalError

from rris.extensions import db
from signaling.records import WORKER_THREAD_PREFIX

# The savepoints of the test's outer transaction still come and go, so nothing is left half open.
_TRANSACTION_CONTROL = ("SAVEPOINT", "RELEASE", "ROLLBACK")


@contextmanager
def database_outage(thread_prefix: str = WORKER_THREAD_PREFIX) -> Iterator[None]:
    """Within the block, statements from threads named `thread_prefix`... fail; inside an app context."""
    engine = db.engine

    def refuse(_conn: Any, _cursor: Any, statement: str, parameters: Any, *_rest: Any) -> None:
        if threading.current_thread().name.startswith(thread_prefix) and not statement.lstrip().upper().startswith(
            _TRANSACTION_CONTROL
        ):
            raise OperationalError(statement, parameters, ConnectionRefusedError("the database is unreachable"))

    event.listen(engine, "before_cursor_execute", refuse)
    try:
        yield
    finally:
        event.remove(engine, "before_cursor_execute", refuse)
