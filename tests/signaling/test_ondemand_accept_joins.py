"""After an acceptance on her live page, the two people's first joins on that node need no roster read.

The node committed the acceptance and, in the same unit of work, read the side each of the two
takes in the call (she holds the job; the officer whose page follows the request is an active
officer of the department). Their first joins there within the roster's re-check interval are
admitted on that reading: no read of their own queues in the node's one database thread. A second
join is read as before; someone who had left the roster by the acceptance is not vouched for."""

from __future__ import annotations

from sqlalchemy import update

from rris.access.queries.actors import actor_of
from rris.accounts.models.accounts import User
from rris.calls.services.call_access import issue_join_ticket
from rris.context import current_settings
from rris.extensions import db
from rris.ondemand.models.ondemand import OnDemandCall
from tests.ondemand.support import ask
from tests.signaling.test_ondemand_accept_live import FIRST_READ, TOLD_WITHIN, run_slow_reads
from tests.signaling.test_ondemand_live import (
    NOW,
    interpreters,
    officer,  # noqa: F401 (the fixture)
    open_page,
    presence_token,
)
from tests.support.call_peers import SignalingUnderTest
from tests.support.sql_statements import counted_statements


def ticket_for(booking_id: int, user_id: int) -> str:
    """The join ticket the call page issues this person now."""
    user = db.session.get_one(User, user_id)
    return issue_join_ticket(booking_id, actor_of(user), user, NOW, current_settings().secret_key)[1]


def deactivate(user_id: int) -> None:
    db.session.execute(update(User).where(User.id == user_id).values(active=False))
    db.session.commit()


def roster_reads(statements: list[str]) -> list[str]:
    """The statements that read who takes part (the accounts named in the tickets)."""
    return [statement for statement in statements if "FROM users" in statement]


def test_the_two_people_of_an_acceptance_join_its_node_without_a_roster_read(app, clock, officer):  # noqa: F811
    [mariam] = interpreters(1)
    heard = ask(officer, NOW)
    booking_id = db.session.get_one(OnDemandCall, heard.call_id).booking_id

    async def scenario(service: SignalingUnderTest) -> None:
        hers = await open_page(service, presence_token(clock, mariam))
        officers = await open_page(service, presence_token(clock, officer=officer, call_id=heard.call_id))
        ring = await hers.expect("ring", timeout=FIRST_READ)
        await hers.send("accept", ring_id=ring["ring_id"])
        await hers.expect("accepted", timeout=TOLD_WITHIN)
        tickets = [await service.core(ticket_for, booking_id, user_id) for user_id in (officer.user_id, mariam.user_id)]
        again = await service.core(ticket_for, booking_id, mariam.user_id)
        await service.service.recorder.drain()  # the read the acceptance started is over

        with counted_statements() as statements:
            for ticket in tickets:
                await (await service.connect()).join(ticket)
        assert roster_reads(statements) == []

        with counted_statements() as statements:  # her second join (a reload): read as ever
            await (await service.connect()).join(again)
        assert roster_reads(statements) != []
        for live in (hers, officers):
            await live.close()

    run_slow_reads(app, clock, scenario)


def test_an_officer_no_longer_on_the_roster_when_she_accepts_is_not_vouched_for(app, clock, officer):  # noqa: F811
    [mariam] = interpreters(1)
    heard = ask(officer, NOW)
    booking_id = db.session.get_one(OnDemandCall, heard.call_id).booking_id

    async def scenario(service: SignalingUnderTest) -> None:
        hers = await open_page(service, presence_token(clock, mariam))
        officers = await open_page(service, presence_token(clock, officer=officer, call_id=heard.call_id))
        ring = await hers.expect("ring", timeout=FIRST_READ)
        await service.core(deactivate, officer.user_id)  # her account ends while the request rings
        await hers.send("accept", ring_id=ring["ring_id"])
        await hers.expect("accepted", timeout=TOLD_WITHIN)
        ticket = await service.core(ticket_for, booking_id, officer.user_id)  # a call page opened before
        page = await service.connect()
        await page.send("join", ticket=ticket, resume=False)
        assert (await page.expect("error"))["code"] == "removed"
        for live in (hers, officers):
            await live.close()

    run_slow_reads(app, clock, scenario)
