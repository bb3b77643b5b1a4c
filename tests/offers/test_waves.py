"""A wave of offers follows the policy its caller hands in: how many are asked, and for how long."""

from dataclasses import replace
from datetime import timedelta

from rris.access.queries.actors import actor_of
from rris.bookings.services.bookings import request_booking
from rris.enums import OfferState
from rris.offers.domain.waves import WavePolicy
from rris.offers.services.offers import expire_offers
from tests import factories
from tests.bookings.test_booking_flow import pashto_request, pool
from tests.conftest import DEFAULT_NOW
from tests.support.booking_setup import booking_setup

SESSION_START = DEFAULT_NOW + timedelta(days=1)


def test_an_offer_stands_for_the_policys_minutes():
    policy = WavePolicy(size=3, offer_minutes=30)
    assert policy.expires_at(DEFAULT_NOW, SESSION_START) == DEFAULT_NOW + timedelta(minutes=30)


def test_an_offer_never_outlasts_the_start_of_its_session():
    soon = DEFAULT_NOW + timedelta(minutes=10)
    assert WavePolicy(size=3, offer_minutes=30).expires_at(DEFAULT_NOW, soon) == soon


def test_a_booking_asks_as_many_interpreters_as_the_wave_policy_handed_in_says(ctx):
    jelena = factories.caseworker("RS")
    pool(4)
    setup = replace(booking_setup(), waves=WavePolicy(size=2, offer_minutes=10))
    booking, _created = request_booking(pashto_request(), jelena, actor_of(jelena), DEFAULT_NOW, setup)
    pending = [offer for offer in booking.offers if offer.state is OfferState.PENDING]
    assert len(pending) == 2  # the app's own setting says 3
    assert {offer.expires_at for offer in pending} == {DEFAULT_NOW + timedelta(minutes=10)}


def test_the_next_wave_after_expiry_follows_the_policy_the_scheduler_hands_in(ctx):
    jelena = factories.caseworker("RS")
    pool(4)
    booking, _created = request_booking(pashto_request(), jelena, actor_of(jelena), DEFAULT_NOW, booking_setup())
    expire_offers(DEFAULT_NOW + timedelta(minutes=30), WavePolicy(size=1, offer_minutes=5))
    pending = [offer for offer in booking.offers if offer.state is OfferState.PENDING]
    assert booking.offer_wave == 2 and len(pending) == 1
    assert pending[0].expires_at == DEFAULT_NOW + timedelta(minutes=35)
