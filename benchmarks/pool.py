"""A generated pool in a fresh database: 7 countries, 2,000 interpreters, 30 languages, 200,000 bookings.

Deterministic (one `random.Random(seed)`) and fast: rows are built as plain dicts and written
with Core bulk inserts in batches of `BATCH_ROWS`, never as ORM objects. Ids are set explicitly
so that rows can refer to each other without reading anything back; on PostgreSQL the id
sequences are moved past them afterwards so that the app's own inserts keep working.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from time import perf_counter
from typing import Any

from sqlalchemy import Table, func, insert, select, text

from benchmarks.catalogue import LANGUAGES
from benchmarks.people import generate_people
from benchmarks.schedule import Schedule
from rris.accounts.integrations.passwords import hash_password
from rris.accounts.models.accounts import User
from rris.bookings.models.bookings import Assignment, Booking
from rris.extensions import db
from rris.pool.models.geography import Country, CountryLanguage, Department
from rris.pool.models.interpreters import (
    Accreditation,
    AvailabilityWindow,
    InterpreterProfile,
    InterpreterSpecialisation,
    LanguagePair,
    TimeOff,
)
from rris.pool.models.languages import Language

GENERATOR_VERSION = 1  # bump when the generated data changes: cached pools are keyed by it
BATCH_ROWS = 5_000
DEFAULT_SEED = 2026


@dataclass(frozen=True)
class PoolSize:
    """How big a pool to generate."""

    interpreters: int
    bookings: int
    seed: int = DEFAULT_SEED

    @property
    def data(self) -> dict[str, int]:
        """The size as every report line states it."""
        return {"interpreters": self.interpreters, "bookings": self.bookings, "languages": len(LANGUAGES)}

    @property
    def key(self) -> str:
        """A file-name-safe key of the size, the seed and the generator version."""
        return f"v{GENERATOR_VERSION}-i{self.interpreters}-b{self.bookings}-s{self.seed}"


FULL_POOL = PoolSize(interpreters=2_000, bookings=200_000)
QUICK_POOL = PoolSize(interpreters=200, bookings=5_000)


@dataclass(frozen=True)
class PoolCounts:
    """How many rows of each kind the pool holds, and how long loading took."""

    interpreters: int
    bookings: int
    assignments: int
    language_pairs: int
    accreditations: int
    time_off: int
    seconds: float


def load_pool(size: PoolSize) -> PoolCounts:
    """Fill the migrated, empty database of the current app context with a generated pool."""
    started = perf_counter()
    missing = set(LANGUAGES) - set(db.session.scalars(select(Language.code).where(Language.code.in_(LANGUAGES))))
    if missing:
        raise RuntimeError(f"languages missing from the catalogue (run sync_languages first): {sorted(missing)}")
    rng = random.Random(size.seed)
    # One real hash for every generated account: nobody signs in, the API uses tokens.
    people = generate_people(rng, size.interpreters, hash_password(f"bench-{rng.random()}"))
    for model, rows in (
        (Country, people.countries),
        (CountryLanguage, people.country_languages),
        (Department, people.departments),
        (User, people.users),
        (InterpreterProfile, people.profiles),
        (LanguagePair, people.pairs),
        (Accreditation, people.accreditations),
        (InterpreterSpecialisation, people.specialisations),
        (AvailabilityWindow, people.windows),
        (TimeOff, people.time_off),
    ):
        _insert(model.__table__, rows)
    db.session.commit()
    schedule = Schedule(rng, people.offices, people.people, size.bookings)
    assignments = 0
    for batch in schedule.batches(BATCH_ROWS):
        _insert(Booking.__table__, batch.bookings)
        _insert(Assignment.__table__, batch.assignments)
        assignments += len(batch.assignments)
        db.session.commit()
    _after_load()
    return PoolCounts(
        interpreters=len(people.profiles),
        bookings=_count(Booking),
        assignments=assignments,
        language_pairs=len(people.pairs),
        accreditations=len(people.accreditations),
        time_off=len(people.time_off),
        seconds=perf_counter() - started,
    )


def _insert(table: Table, rows: list[dict[str, Any]]) -> None:
    for start in range(0, len(rows), BATCH_ROWS):
        db.session.execute(insert(table), rows[start : start + BATCH_ROWS])


def _count(model: type[db.Model]) -> int:  # type: ignore[name-defined]
    return db.session.scalar(select(func.count()).select_from(model)) or 0


def _after_load() -> None:
    """On PostgreSQL: move id sequences past the explicit ids, and gather planner statistics.

    ANALYZE stands in for autovacuum, which would do the same shortly after a bulk load.
    SQLite is left as the app leaves it (nothing runs ANALYZE there).
    """
    if db.engine.dialect.name != "postgresql":
        return
    for table in db.metadata.sorted_tables:
        if "id" in table.c and table.c.id.primary_key and table.c.id.autoincrement in (True, "auto"):
            db.session.execute(
                text(
                    f"SELECT setval(pg_get_serial_sequence('{table.name}', 'id'), "  # noqa: S608 (our table names)
                    f"COALESCE((SELECT MAX(id) FROM {table.name}), 0) + 1, false)"
                )
            )
    db.session.commit()
    with db.engine.connect() as connection:
        connection.execution_options(isolation_level="AUTOCOMMIT").exec_driver_sql("ANALYZE")
