"""An interpreter declines a ring on her live page, over its socket to the signalling node: the node
commits it (as the page's form does), tells her page, ends the ring on her other pages and rings the
next interpreter at once, not at its next read; a ring no longer hers is refused in her language.

The node reads only every READ_INTERVAL (`run_slow_reads`), so what comes within TOLD_WITHIN came
from the decline itself."""

from __future__ import annotations

from sqlalchemy import select

from rris.extensions import db
from rris.ondemand.models.ondemand import OnDemandRing
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


def outcomes(call_id: int) -> dict[int, str | None]:
    """Each interpreter rung for the call, and how her ring ended (None: still ringing)."""
    rings = db.session.scalars(
        select(OnDemandRing).where(OnDemandRing.call_id == call_id).execution_options(populate_existing=True)
    )
    return {ring.interpreter_id: None if ring.outcome is None else ring.outcome.value for ring in rings}


def test_declining_on_her_page_ends_her_ring_everywhere_and_rings_the_next_at_once(app, clock, officer):  # noqa: F811
    first, second, third, fourth = interpreters(4)  # three ring at once (RRIS_ONDEMAND_RINGS_AT_ONCE)
    heard = ask(officer, NOW)

    async def scenario(service: SignalingUnderTest) -> None:
        everyone = (first, second, third, fourth)
        pages = {person.id: await open_page(service, presence_token(clock, person, locale="tr")) for person in everyone}
        rung = await service.core(outcomes, heard.call_id)
        assert len(rung) == 3
        [waiting] = [person for person in everyone if person.id not in rung]
        declining = next(person for person in everyone if person.id in rung)
        other_tab = await open_page(service, presence_token(clock, declining, locale="tr"))
        ring = await pages[declining.id].expect("ring", timeout=FIRST_READ)
        await other_tab.expect("ring", timeout=FIRST_READ)

        await pages[declining.id].send("decline", ring_id=ring["ring_id"])
        assert await pages[declining.id].expect("declined", timeout=TOLD_WITHIN) == {
            "type": "declined",
            "ring_id": ring["ring_id"],
        }
        ended = await other_tab.expect("ring_ended", timeout=TOLD_WITHIN)
        assert ended == {"type": "ring_ended", "ring_id": ring["ring_id"], "outcome": "declined"}
        assert (await pages[waiting.id].expect("ring", timeout=TOLD_WITHIN))["call_id"] == heard.call_id
        after = await service.core(outcomes, heard.call_id)
        assert after[declining.id] == "declined" and after[waiting.id] is None

        await pages[declining.id].send("decline", ring_id=ring["ring_id"])  # again: it is over
        refused = await pages[declining.id].expect("decline_refused", timeout=TOLD_WITHIN)
        assert refused["message"] == "Bu görüşmeyi başka bir tercüman yanıtladı veya görüşme sona erdi."
        for page in (*pages.values(), other_tab):
            await page.close()

    run_slow_reads(app, clock, scenario)
