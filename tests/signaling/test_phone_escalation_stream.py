"""The telephone escalation end to end: nobody answered Jelena's request for Pashto, so after the
wait the scheduler's job calls Mariam's phone through the real twilio SDK; Twilio's signed
webhooks play the prompt and bring her "1"; the TwiML's `<Connect><Stream>` ticket then opens a
signed Media Streams socket on the real signalling service (127.0.0.1), and Jelena's aiortc peer,
joined with her own ticket, hears the phone's tone by FFT, and the phone hears hers."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from rris.access.queries.actors import actor_of
from rris.accounts.models.accounts import User
from rris.bookings.models.bookings import Booking
from rris.enums import CallRole, PhoneLegStatus
from rris.extensions import db
from rris.ondemand.models.ondemand import OnDemandCall, OnDemandRing
from rris.ondemand.services.on_call import set_phone_on_call
from rris.phone.models.phone_legs import PhoneLeg
from scheduler.jobs import escalate_on_demand_to_phones
from tests import factories
from tests.conftest import DEFAULT_NOW, Browser, committed
from tests.ondemand.support import ask
from tests.phone.test_twilio_webhooks import SIGNALING, post, stream_ticket, twiml
from tests.signaling.test_phone_bridge import BROWSER_HZ, PHONE_HZ, near, run
from tests.support.aiortc_loopback import loopback_ice  # noqa: F401  (fixture)
from tests.support.call_bookings import attendances, token
from tests.support.call_peers import AiortcParticipant, SignalingUnderTest
from tests.support.media_streams import PhoneSide, ToneFrames, twilio_signature
from tests.support.twilio_recorder import TEST_ACCOUNT_SID, TEST_AUTH_TOKEN, twilio_voice

pytestmark = pytest.mark.usefixtures("loopback_ice")

NOW = DEFAULT_NOW
MARIAM_PHONE = "+93701234567"


def test_an_on_call_interpreter_presses_1_and_her_phone_is_heard_in_the_officers_room(app, clock):
    with twilio_voice(app, signaling_public_url=SIGNALING, ondemand_phone_after_seconds=60) as recorder:
        with committed(app), app.test_request_context():
            mariam = factories.interpreter(pairs=(("pus", "srp"),), name="Mariam Ahmadzai")
            mariam.user.phone, mariam.user.phone_verified_at = MARIAM_PHONE, NOW - timedelta(days=2)
            db.session.commit()
            set_phone_on_call(mariam.user, True, NOW - timedelta(days=1))
            jelena = factories.caseworker("RS")
            db.session.commit()
            call_id = ask(actor_of(jelena), NOW, wait=True).call_id
            mariam_id, mariam_user, jelena_id = mariam.id, mariam.user.id, jelena.id

        clock.set(NOW + timedelta(seconds=60))
        with app.app_context():
            escalate_on_demand_to_phones()
            ring = db.session.scalars(select(OnDemandRing).where(OnDemandRing.call_id == call_id)).one()
            leg_id, call_sid = ring.phone_leg_id, ring.phone_leg.call_sid
        assert [str(r.data["To"]) for r in recorder.calls_placed] == [MARIAM_PHONE]

        # Mariam picks up, hears the prompt and presses 1: Twilio's two signed webhooks.
        twilio = Browser(app.test_client())  # Twilio signs its requests; it sends no CSRF token
        params = {"AccountSid": TEST_ACCOUNT_SID, "CallSid": call_sid}
        assert twiml(post(twilio, f"/twilio/ondemand/{leg_id}", params)).find("./Gather")
        clock.advance(timedelta(seconds=9))
        keys = post(twilio, f"/twilio/ondemand/{leg_id}/keys", {**params, "Digits": "1"})
        leg_ticket = stream_ticket(twiml(keys))

        with app.test_request_context():
            booking_id = db.session.scalar(select(OnDemandCall.booking_id).where(OnDemandCall.id == call_id))
            booking = db.session.get_one(Booking, booking_id)
            officer_token = token(booking, db.session.get_one(User, jelena_id), clock)
            phone_id = f"phone-user-{mariam_user}"
            signed = twilio_signature(TEST_AUTH_TOKEN, f"{SIGNALING}/phone/stream")

            async def scenario(service: SignalingUnderTest) -> None:
                officer = AiortcParticipant(await service.connect(), BROWSER_HZ)
                await officer.join(officer_token)
                phone = await PhoneSide.open(service.session, service.phone_url, headers=signed)
                await phone.start(leg_ticket)
                phone.play(ToneFrames(PHONE_HZ))
                heard = await officer.wait_heard(phone_id, frames=60)
                assert near(heard.tones(), PHONE_HZ), heard.tones()
                await phone.wait_heard(frames=60)
                assert near(phone.tones(frames=50), BROWSER_HZ), phone.tones(frames=50)
                clock.advance(timedelta(minutes=4))
                await phone.stop()
                await officer.leave()

            run(app, clock, scenario, settings=app.extensions["rris.settings"])
            phone_legs = [(a.channel, a.participant, a.role) for a in attendances(booking) if a.channel == "phone"]
            assert phone_legs == [("phone", phone_id, CallRole.INTERPRETER)]
            call = db.session.get_one(OnDemandCall, call_id)
            # her phone counts as the interpreter in the call: the session started when both were in
            assert call.connected_at is not None and call.interpreter_id == mariam_id
            leg = db.session.get_one(PhoneLeg, leg_id)
            assert leg.answered_at == NOW + timedelta(seconds=60) and leg.status is not PhoneLegStatus.FAILED
