"""The report over the JSON API: a period's figures with the on-demand section, scoped like the
page (a focal point's is their own country's), refused to other roles, bad filters named, and
every answer exactly as the OpenAPI document describes it. Calls made through the on-demand
services, both databases."""

from __future__ import annotations

import pytest

from rris.enums import Role
from tests import factories
from tests.api.test_api_response_schemas import errors
from tests.api.test_bookings_api import token_for
from tests.conftest import committed
from tests.reports.on_demand_month import on_demand_january

JANUARY = "/api/v1/reports?month=2026-01"


@pytest.fixture
def tokens(app, clock):
    with committed(app):
        on_demand_january()
        factories.user(Role.COORDINATOR, email="hub@pool.example", timezone="Europe/Belgrade")
        factories.user(Role.FOCAL_POINT, email="focal@rs.example", country=factories.country("RS"))
        factories.user(Role.FOCAL_POINT, email="focal@mk.example", country=factories.country("MK"))
        factories.caseworker("RS", email="jelena@mup.rs.example")
        factories.interpreter(email="omid@pool.example")
    emails = ("hub@pool.example", "focal@rs.example", "focal@mk.example", "jelena@mup.rs.example", "omid@pool.example")
    return {email if email.startswith("focal") else email.split("@")[0]: token_for(app, email) for email in emails}


def get(app, url: str, headers):
    response = app.test_client().get(url, headers=headers)
    return response, response.get_json()


def test_a_coordinator_reads_the_month_with_its_on_demand_calls(app, tokens):
    response, body = get(app, JANUARY, tokens["hub"])
    assert response.status_code == 200 and errors("Report", body) == []
    assert body["period"] == {"first_day": "2026-01-01", "last_day": "2026-01-31", "zone": "Europe/Belgrade"}
    assert body["on_demand"] == {
        "requests": 4,
        "answered": 3,
        "abandoned": 1,
        "abandonment_rate": 0.25,
        "speed_of_answer_p50_seconds": 12.0,
        "speed_of_answer_p90_seconds": 26.4,
        "delivered_sessions": 2,
        "delivered_time": {"seconds": 1800, "minutes": 30},
        "by_language": [{"country": "RS", "language": "pus", "sessions": 2, "seconds": 1800, "minutes": 30}],
    }
    # Booked-ahead figures leave the calls out; what Serbia owes takes them in, like any session.
    assert body["booked_sessions"]["requested"] == 0 and body["booked_sessions"]["outcomes"]["cancelled"] == 0
    assert body["delivered"]["sessions"] == 2
    assert body["owed"] == [
        {
            "country": "RS",
            "currency": "EUR",
            "sessions": 2,
            "interpreter_time": {"seconds": 1800, "minutes": 30},
            "amount": "17.50",
        }
    ]


def test_a_focal_point_reads_their_own_country_only(app, tokens):
    _response, serbian = get(app, JANUARY, tokens["focal@rs.example"])
    assert serbian["filter"]["country"] == "RS" and serbian["on_demand"]["requests"] == 4
    _response, macedonian = get(app, JANUARY, tokens["focal@mk.example"])
    assert macedonian["filter"]["country"] == "MK" and macedonian["on_demand"]["requests"] == 0
    assert errors("Report", macedonian) == []
    response, problem = get(app, f"{JANUARY}&country=RS", tokens["focal@mk.example"])
    assert response.status_code == 422 and [p["name"] for p in problem["invalid_params"]] == ["country"]


@pytest.mark.parametrize("who", ["jelena", "omid"])
def test_caseworkers_and_interpreters_have_no_reports(app, tokens, who):
    response, problem = get(app, JANUARY, tokens[who])
    assert response.status_code == 403 and errors("Problem", problem) == []


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("month=2026-13", "month"),
        ("month=", "month"),
        ("first_day=2026-01-01", "last_day"),
        ("first_day=2026-02-30&last_day=2026-03-01", "first_day"),
        ("first_day=2026-03-01&last_day=2026-02-01", "last_day"),
        ("first_day=2020-01-01&last_day=2026-01-01", "last_day"),
        ("country=ZZ", "country"),
        ("country=rs", "country"),
        ("department=0", "department"),
        ("language=Pashto", "language"),
        ("kind=wedding", "kind"),
        ("first_day=0001-01-01&last_day=2026-01-31", "first_day"),  # the portal's form refuses it alike
    ],
)
def test_a_bad_filter_is_named(app, tokens, query, field):
    response, problem = get(app, f"/api/v1/reports?{query}", tokens["hub"])
    assert response.status_code == 422 and response.mimetype == "application/problem+json"
    assert [p["name"] for p in problem["invalid_params"]] == [field]


def test_a_department_the_caller_does_not_see_is_refused(app, tokens):
    with committed(app):
        belgrade = factories.department("RS").id
    response, problem = get(app, f"{JANUARY}&department={belgrade}", tokens["focal@mk.example"])
    assert response.status_code == 422 and [p["name"] for p in problem["invalid_params"]] == ["department"]
    _response, body = get(app, f"{JANUARY}&department={belgrade}", tokens["focal@rs.example"])
    assert body["filter"]["department"] == belgrade and errors("Report", body) == []
