"""An interpreter accepts a ring on her live page, over its socket to the signalling node: the node
commits it and tells the officer's page in the same moment, not at its next read; two accepting at
once still give the call to exactly one; a lapsed ring or someone else's is refused in her language.
What else the node commits itself (her going away, which rings the next) and a page that opens are
told at once too.

The node here reads only every READ_INTERVAL seconds (RRIS_ONDEMAND_PUSH_MS), so a page told within
TOLD_WITHIN of the acceptance was told by the acceptance itself (on PostgreSQL the commit's notice
would also make it read)."""

from __future__ import annotations

import asyncio
import dataclasses
import time
from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import Any

from sqlalchemy import select

from rris.bookings.models.bookings import Assignment
from rris.context import current_settings
from rris.extensions import db
from rris.ondemand.domain.policy import OnDemandPolicy
from rris.ondemand.domain.states import Answer, CallState
from rris.ondemand.models.ondemand import OnDemandCall, OnDemandRing
from rris.ondemand.services.answering import expire_rings
from signaling.presence import reconnect_grace
from tests.ondemand.support import POLICY, ask
from tests.signaling.test_ondemand_live import (
    NOW,
    interpreters,
    officer,  # noqa: F401 (the fixture)
    open_page,
    open_pages,
    presence_token,
)
from tests.support.call_peers import FAST, ProtocolClient, SignalingUnderTest, running_signaling

READ_INTERVAL_MS = 8000
TOLD_WITHIN = 2.5  # seconds; a read at the interval would come about READ_INTERVAL_MS after the last one
FIRST_READ = TOLD_WITHIN  # a page that opens is told the state at once too


def run_slow_reads(app, clock, scenario: Callable[[SignalingUnderTest], Awaitable[None]]) -> None:
    settings = dataclasses.replace(current_settings(), ondemand_push_ms=READ_INTERVAL_MS)

    async def main() -> None:
        async with running_signaling(app, clock, settings=settings) as service:
            await scenario(service)
            await service.service.recorder.drain()

    asyncio.run(main())


def held_by(call_id: int) -> list[int]:
    """The interpreters holding the call's booking (its assignments)."""
    booking_id = db.session.get_one(OnDemandCall, call_id, populate_existing=True).booking_id
    statement = select(Assignment.interpreter_id).where(Assignment.booking_id == booking_id)
    return list(db.session.scalars(statement))


async def answer_to_accept(page: ProtocolClient) -> dict[str, Any]:
    """The page's answer to its acceptance, "accepted" or "accept_refused" (other frames skipped)."""
    async with asyncio.timeout(TOLD_WITHIN):
        while True:
            frame = await page.inbox.get()
            if frame["type"] in ("accepted", "accept_refused"):
                return frame


def call_of(call_id: int) -> tuple[CallState, int]:
    call = db.session.get_one(OnDemandCall, call_id, populate_existing=True)
    return call.state, call.booking_id


def test_accepting_on_her_page_opens_the_call_and_tells_the_officers_page_at_once(app, clock, officer):  # noqa: F811
    mariam, nadia = interpreters(2)
    heard = ask(officer, NOW)
    assert heard.answer is Answer.RINGING
    booking_id = db.session.get_one(OnDemandCall, heard.call_id).booking_id

    async def scenario(service: SignalingUnderTest) -> None:
        mariams, nadias = await open_pages(service, clock, mariam, nadia)
        officers = await open_page(service, presence_token(clock, officer=officer, call_id=heard.call_id))
        ring = await mariams.expect("ring", timeout=FIRST_READ)  # a read just happened
        await nadias.expect("ring", timeout=FIRST_READ)
        assert (await officers.expect("status", timeout=FIRST_READ))["state"] == "ringing"

        accepted_at = time.monotonic()
        await mariams.send("accept", ring_id=ring["ring_id"])
        assert await mariams.expect("accepted", timeout=TOLD_WITHIN) == {
            "type": "accepted",
            "ring_id": ring["ring_id"],
            "call_url": f"/calls/{booking_id}",
        }
        status = await officers.expect("status", timeout=TOLD_WITHIN)
        assert status["state"] == "answered" and status["call_url"] == f"/calls/{booking_id}"
        assert (await nadias.expect("ring_ended", timeout=TOLD_WITHIN))["outcome"] == "stopped"
        assert time.monotonic() - accepted_at < TOLD_WITHIN
        assert await service.core(held_by, heard.call_id) == [mariam.id]
        assert (await service.core(call_of, heard.call_id))[0] is CallState.ANSWERED
        for page in (mariams, nadias, officers):
            await page.close()

    run_slow_reads(app, clock, scenario)


def test_two_interpreters_accepting_at_once_on_their_pages_give_the_call_to_exactly_one(app, clock, officer):  # noqa: F811
    mariam, nadia = interpreters(2)
    heard = ask(officer, NOW)

    async def scenario(service: SignalingUnderTest) -> None:
        mariams = await open_page(service, presence_token(clock, mariam, locale="ps"))
        nadias = await open_page(service, presence_token(clock, nadia, locale="tr"))
        rings = [await page.expect("ring", timeout=FIRST_READ) for page in (mariams, nadias)]
        await asyncio.gather(
            *(page.send("accept", ring_id=r["ring_id"]) for page, r in zip((mariams, nadias), rings, strict=True))
        )
        answers = [await answer_to_accept(page) for page in (mariams, nadias)]
        kinds = sorted(answer["type"] for answer in answers)
        assert kinds == ["accept_refused", "accepted"]
        winner = mariam.id if answers[0]["type"] == "accepted" else nadia.id
        assert await service.core(held_by, heard.call_id) == [winner]
        refused = next(answer for answer in answers if answer["type"] == "accept_refused")
        in_the_losers_language = {
            nadia.id: "دې زنګ ته بل ترجمان ځواب ورکړی دی یا زنګ پای ته رسېدلی دی.",  # Mariam (Pashto) lost
            mariam.id: "Bu görüşmeyi başka bir tercüman yanıtladı veya görüşme sona erdi.",  # Nadia (Turkish) lost
        }
        assert refused["message"] == in_the_losers_language[winner]
        for page in (mariams, nadias):
            await page.close()

    run_slow_reads(app, clock, scenario)


def test_a_lapsed_ring_or_someone_elses_cannot_be_accepted_on_her_page(app, clock, officer):  # noqa: F811
    mariam, nadia = interpreters(2)
    heard = ask(officer, NOW)

    async def scenario(service: SignalingUnderTest) -> None:
        mariams = await open_page(service, presence_token(clock, mariam, locale="tr"))
        nadias = await open_page(service, presence_token(clock, nadia, locale="tr"))
        ring = await mariams.expect("ring", timeout=FIRST_READ)
        nadia_ring = await nadias.expect("ring", timeout=FIRST_READ)

        await mariams.send("accept", ring_id=nadia_ring["ring_id"])  # not hers
        refused = await mariams.expect("accept_refused", timeout=TOLD_WITHIN)
        assert refused["message"] == "Bu görüşmeyi yalnızca aranan tercüman yanıtlayabilir."

        lapsed = clock.now() + timedelta(seconds=POLICY.ring_seconds + 1)
        await service.core(expire_rings, lapsed, POLICY)
        await mariams.send("accept", ring_id=ring["ring_id"])
        refused = await mariams.expect("accept_refused", timeout=TOLD_WITHIN)
        assert refused["message"] == "Bu görüşmeyi başka bir tercüman yanıtladı veya görüşme sona erdi."
        assert await service.core(held_by, heard.call_id) == []
        assert (await mariams.expect("ring_ended", timeout=TOLD_WITHIN))["outcome"] == "missed"
        await mariams.close()
        await nadias.close()

    run_slow_reads(app, clock, scenario)


def test_when_a_rung_interpreters_page_closes_the_next_is_rung_on_her_page_at_once(app, clock, officer):  # noqa: F811
    people = interpreters(POLICY.rings_at_once + 1)
    heard = ask(officer, NOW)
    rung = set(db.session.scalars(select(OnDemandRing.interpreter_id).where(OnDemandRing.call_id == heard.call_id)))
    [waiting] = [person for person in people if person.id not in rung]
    leaving = next(person for person in people if person.id in rung)
    grace = reconnect_grace(FAST, OnDemandPolicy.from_settings(current_settings()).heartbeat_seconds)

    async def scenario(service: SignalingUnderTest) -> None:
        pages = {person.id: await open_page(service, presence_token(clock, person)) for person in people}
        await pages[leaving.id].expect("ring", timeout=FIRST_READ)  # told at once as the page opened
        await pages[leaving.id].close()
        closed_at = time.monotonic()
        ring = await pages[waiting.id].expect("ring", timeout=grace + TOLD_WITHIN)
        assert ring["call_id"] == heard.call_id
        assert time.monotonic() - closed_at < grace + TOLD_WITHIN
        for person in people:
            if person.id != leaving.id:
                await pages[person.id].close()

    run_slow_reads(app, clock, scenario)


def test_a_page_that_opens_while_the_node_waits_for_its_other_pages_is_told_at_once(app, clock, officer):  # noqa: F811
    mariam, nadia = interpreters(2)

    async def scenario(service: SignalingUnderTest) -> None:
        mariams = await open_page(service, presence_token(clock, mariam))
        assert (await mariams.expect("presence", timeout=FIRST_READ))["available"] is True
        await asyncio.sleep(0.2)  # the node has pushed her state and waits for its next read
        opened_at = time.monotonic()
        nadias = await open_page(service, presence_token(clock, nadia))
        assert (await nadias.expect("presence", timeout=FIRST_READ))["available"] is True
        assert time.monotonic() - opened_at < FIRST_READ
        for page in (mariams, nadias):
            await page.close()

    run_slow_reads(app, clock, scenario)
