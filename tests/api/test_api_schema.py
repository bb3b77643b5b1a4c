"""The API does what its OpenAPI document says, for everyone who may call it.

schemathesis generates requests from `/api/v1/openapi.json` (valid ones, invalid ones and the
document's boundary cases) and sends them to the portal served on 127.0.0.1, over a small
seeded pool, once per role with that role's API token, on SQLite and on PostgreSQL. It fails
on any server error, any status or content type the document does not list for the operation,
and any body that does not match the document's schema; on any request the document forbids
that the server accepts; where the document describes everything the server checks, also on a
valid request the server refuses.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import hypothesis
import pytest
import requests
import schemathesis
from hypothesis.configuration import set_hypothesis_home_dir
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    allow_header_conformance,
    content_type_conformance,
    negative_data_rejection,
    positive_data_acceptance,
    response_schema_conformance,
    status_code_conformance,
    unsupported_method,
)

from rris.access.queries.actors import actor_of
from rris.accounts.services.api_tokens import create_api_token
from rris.api.openapi import openapi_document
from rris.bookings.services.booking_requests import BookingRequest
from rris.bookings.services.bookings import cancel_booking, request_booking
from rris.enums import Role
from rris.extensions import db
from rris.offers.services.offers import accept_offer
from rris.timeutil import FrozenClock
from tests import factories
from tests.conftest import BACKENDS, DEFAULT_NOW, settings_for_test
from tests.support.booking_setup import booking_setup
from tests.support.live_portal import LivePortal, serve_portal
from tests.support.web_fixtures import empty_database

# Hypothesis caches the constants it finds in our sources under its home, while pytest collects:
# keep that out of the working tree (no example database is kept at all: "database": "none").
set_hypothesis_home_dir(Path(tempfile.gettempdir()) / "rris-hypothesis")
ROLES = tuple(role.value for role in Role)
# Per operation, role and database: enough to reach every status, short enough for `make test`.
EXAMPLES_PER_OPERATION = 6
UNLIMITED = 1_000_000
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
    unsupported_method,  # TRACE and the like: a 405 ...
    allow_header_conformance,  # ... whose Allow lists what the document does
    # A request the document forbids (the request half is generated from the shapes that
    # validate it) is refused with a 4xx, never accepted.
    negative_data_rejection,
]
# Operations whose document says everything the server checks: there a valid request is
# never a 422. Elsewhere business rules (a start in the future, a known language, an existing
# interpreter) refuse what no schema can describe.
FULLY_DESCRIBED = {
    "GET /api/v1/me",
    "GET /api/v1/departments",
    "GET /api/v1/departments/{id}",
    "GET /api/v1/interpreters",
    "GET /api/v1/interpreters/{id}",
    "GET /api/v1/languages",
    "GET /api/v1/bookings",
    "GET /api/v1/bookings/{id}",
    "GET /api/v1/offers",
    "POST /api/v1/offers/{id}/accept",
    "POST /api/v1/offers/{id}/decline",
    "POST /api/v1/bookings/{id}/cancel",
    "POST /api/v1/bookings/{id}/reoffer",
    "POST /api/v1/bookings/{id}/outcome",
}


@dataclass(frozen=True)
class SeededApi:
    portal: LivePortal
    tokens: dict[str, str]


def _seed(portal: LivePortal) -> dict[str, str]:
    """Two countries, one person per role, and bookings offered, confirmed and cancelled; a token each."""
    with portal.app.test_request_context():
        jelena = factories.caseworker("RS", email="jelena@mup.rs.example")
        factories.caseworker("AL", email="arben@asylum.al.example")
        people = {
            Role.CASEWORKER.value: jelena,
            Role.FOCAL_POINT.value: factories.user(Role.FOCAL_POINT, country=jelena.department.country),
            Role.COORDINATOR.value: factories.user(Role.COORDINATOR),
            Role.ADMIN.value: factories.user(Role.ADMIN),
        }
        mariam = factories.interpreter(pairs=(("pus", "srp"),), name="Mariam Ahmadzai")
        factories.interpreter(pairs=(("pus", "srp"),), accredited_for=("RS", "AL"))
        people[Role.INTERPRETER.value] = mariam.user
        db.session.commit()
        bookings = []
        for day in range(1, 4):
            start = DEFAULT_NOW + timedelta(days=day, hours=1)
            raw = BookingRequest(
                applicant_language="pus",
                officer_language="srp",
                session_kind="registration",
                start_local=start.strftime("%Y-%m-%dT%H:%M"),
                duration_minutes=60,
                case_reference=f"RS-2026-{day:04d}",
            )
            bookings.append(request_booking(raw, jelena, actor_of(jelena), DEFAULT_NOW, booking_setup())[0])
        offer = next(offer for offer in bookings[0].offers if offer.interpreter_id == mariam.id)
        accept_offer(offer.id, mariam, DEFAULT_NOW)
        cancel_booking(bookings[2].id, actor_of(jelena), "The applicant withdrew.", DEFAULT_NOW)
        return {role: create_api_token(user, "schemathesis", DEFAULT_NOW)[1] for role, user in people.items()}


@pytest.fixture(scope="module", params=BACKENDS)
def live_api(request: pytest.FixtureRequest, tmp_path_factory, smtp_server) -> Iterator[SeededApi]:
    """The portal on 127.0.0.1 over a seeded database of its own, with a token per role."""
    directory = tmp_path_factory.mktemp(f"api-schema-{request.param}")
    settings = settings_for_test(directory, empty_database(request, directory, request.param), smtp_server[1])
    # Thousands of requests from one address in one frozen minute: the rate limits (tested in
    # test_rate_limits) would answer most of them 429 and leave the operations unexplored.
    unlimited = settings.replace(rate_limit_per_token=UNLIMITED, rate_limit_per_address=UNLIMITED)
    with serve_portal(unlimited, FrozenClock(DEFAULT_NOW)) as portal:
        yield SeededApi(portal, _seed(portal))


# The document is static (the endpoint serves `openapi_document()`), so the operations are known
# when pytest collects; the requests go to the running server's base URL.
schema = schemathesis.openapi.from_dict(
    openapi_document(),
    config=schemathesis.Config.from_dict(
        {
            "seed": 13,
            "generation": {"max-examples": EXAMPLES_PER_OPERATION, "deterministic": True, "database": "none"},
            "suppress-health-check": ["too_slow", "filter_too_much", "data_too_large"],
        }
    ),
)


@pytest.fixture(params=ROLES)
def role(request: pytest.FixtureRequest) -> str:
    return request.param


@schema.parametrize()
@hypothesis.settings(
    max_examples=EXAMPLES_PER_OPERATION,
    derandomize=True,
    database=None,
    deadline=None,
    suppress_health_check=list(hypothesis.HealthCheck),
)
def test_every_operation_answers_as_the_document_says(case, role: str, live_api: SeededApi) -> None:
    checks = [*CHECKS]
    if f"{case.method.upper()} {case.path}" in FULLY_DESCRIBED:
        checks.append(positive_data_acceptance)
    case.call_and_validate(
        base_url=live_api.portal.base_url,
        headers={"Authorization": f"Bearer {live_api.tokens[role]}"},
        checks=checks,
        timeout=30,
    )


def test_the_server_serves_the_document_the_checks_use(live_api: SeededApi) -> None:
    response = requests.get(f"{live_api.portal.base_url}/api/v1/openapi.json", timeout=30)
    assert response.status_code == 200 and response.json() == openapi_document()
