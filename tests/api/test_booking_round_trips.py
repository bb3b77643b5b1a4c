"""How often a booking's POST and an offer's acceptance ask the database: each statement is a round
trip that every client of a busy portal waits on, so the counts are held where they are."""

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import event

from rris.extensions import db
from tests.api.test_bookings_api import REQUEST, setup  # noqa: F401 (the fixture)

# Measured on both databases when the wave's, the history's and the answer's reads were merged
# (before: 68 and 67 on SQLite, 68 and 63 on PostgreSQL). SQLite counts its BEGIN statements too,
# PostgreSQL sends the outbox rows in one INSERT. A change that needs more says why here.
# Pinned again when each request's two rate limits came to share one write transaction: two
# statements fewer each here (a SAVEPOINT and its RELEASE inside the tests' outer transaction; in
# service a BEGIN IMMEDIATE and a commit on SQLite, a commit on PostgreSQL). Just before, they
# sent 48 and 48 on SQLite, 45 and 44 on PostgreSQL (the pins were still 57 and 57, 54 and 53).
# Pinned again when the outbox sync came to write its new rows in one INSERT (SQLite had sent one
# per row), not to read the outbox of a booking made in the same transaction, and the acceptance's
# re-check to leave out the continuity lookup (it ranks; one interpreter is not ranked): before,
# 46 and 46 on SQLite, 43 and 42 on PostgreSQL (which already sent its rows in one INSERT). The
# acceptance then locked its booking with the booking's country and caseworker joined (two fewer),
# and the POST checked both languages in one query and stopped reading its department again under
# the write lock (two fewer).
# Pinned again (third round) as each read left the two requests; the steps, from 42 and 39 on
# SQLite, 40 and 40 on PostgreSQL: the answer stopped reading the committed booking's row before
# reading it whole (one fewer each); the acceptance's re-check read the applicant's link and objections
# in the search's statement, as `match_leg` does (two fewer); its lock brought the booking's
# specialisations and assignments (two fewer); the POST's department brought its country (one fewer
# on SQLite; on PostgreSQL the test's session held it already); the acceptance locked its interpreter
# reading her profile and account with the lock (two fewer); the POST read the applicant's link and
# objections in the search's statement (two fewer; three with continuity, whom she had last too).
POST_STATEMENTS = {"sqlite": 38, "postgresql": 37}
ACCEPT_STATEMENTS = {"sqlite": 32, "postgresql": 33}


@contextmanager
def counted(app) -> Iterator[list[str]]:
    """The SQL statements sent while the block runs."""
    sent: list[str] = []
    with app.app_context():
        engine = db.engine

    def _count(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        sent.append(statement)

    event.listen(engine, "before_cursor_execute", _count)
    try:
        yield sent
    finally:
        event.remove(engine, "before_cursor_execute", _count)


def test_a_booking_and_its_acceptance_take_no_more_round_trips_than_measured(app, setup):  # noqa: F811
    client = app.test_client()
    with app.app_context():
        dialect = db.engine.dialect.name
    with counted(app) as post:
        response = client.post("/api/v1/bookings", json=REQUEST, headers=setup["jelena"])
    assert response.status_code == 201, response.get_json()
    booking_id = response.get_json()["id"]
    offers = client.get("/api/v1/offers", headers=setup["mariam"]).get_json()["items"]
    offer = next(item for item in offers if item["booking"]["id"] == booking_id)
    with counted(app) as accept:
        response = client.post(f"/api/v1/offers/{offer['id']}/accept", json={}, headers=setup["mariam"])
    assert response.status_code == 200, response.get_json()
    assert response.get_json()["state"] == "confirmed"
    assert len(post) <= POST_STATEMENTS[dialect], "\n".join(post)
    assert len(accept) <= ACCEPT_STATEMENTS[dialect], "\n".join(accept)
