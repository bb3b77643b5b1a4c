"""Write transactions that are safe under concurrency on SQLite and PostgreSQL."""

from __future__ import annotations

from rris.database import IMMEDIATE
from rris.extensions import db


def begin_write() -> None:
    """Start the write transaction of a use case; call before reading what the decision depends on.

    Ends any read transaction first (objects read so far are reloaded on access), then on
    SQLite takes the database's write lock at BEGIN, which serialises writers. PostgreSQL
    needs nothing here: services lock the rows they decide on with FOR UPDATE.
    """
    if db.session().in_transaction():
        db.session.commit()
    db.session.connection(execution_options={IMMEDIATE: True})
