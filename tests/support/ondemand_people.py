"""The people of the on-demand page and API tests (the `people` fixture; tests/conftest.py loads this
module as a plugin): an officer in Belgrade and one in Tirana, and Pashto-Serbian interpreters who
may switch "available now" on; each signs in like a browser."""

from __future__ import annotations

import json
import re
from datetime import timedelta
from types import SimpleNamespace
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select

from rris.enums import Gender, Role
from tests import factories
from tests.conftest import DEFAULT_NOW, committed
from tests.factories import PASSWORD
from tests.ondemand.support import available_interpreter

NOW = DEFAULT_NOW  # Monday 08:00 UTC: 09:00 in Belgrade, 12:30 in Kabul, inside the interpreters' hours
SIGNALING = "ws://127.0.0.1:8765"
# What the officer's form sends for Pashto now, for a reception in Belgrade.
PASHTO_NOW = {
    "applicant_language": "pus",
    "officer_language": "srp",
    "session_kind": "reception",
    "modality": "video",
    "case_reference": "RS-NOW-0007",
    "gender_rule": "none",
}


@pytest.fixture
def people(app: Flask, monkeypatch: pytest.MonkeyPatch) -> SimpleNamespace:
    """Jelena (caseworker, Serbia), Arben (caseworker, Albania), a coordinator; Mariam (available
    now, reading Pashto) and Nadia (available now); Karim (male, not available). Signalling on
    its local default address."""
    from rris.context import current_settings

    with app.app_context():
        settings = current_settings().replace(signaling_public_url=SIGNALING)
    monkeypatch.setitem(app.extensions, "rris.settings", settings)
    with committed(app), app.test_request_context():
        jelena = factories.caseworker("RS", email="jelena@mup.rs.example", name="Jelena Marković")
        arben = factories.caseworker("AL", email="arben@asylum.al.example", name="Arben Hoxha")
        factories.user(Role.COORDINATOR, email="hub@marri.example")
        mariam = available_interpreter(NOW, email="mariam@pool.example", name="Mariam Ahmadzai", locale="ps")
        nadia = available_interpreter(NOW, email="nadia@pool.example", name="Nadia Rahimi")
        karim = factories.interpreter(
            gender=Gender.MALE, pairs=(("pus", "srp"),), email="karim@pool.example", name="Karim Noori"
        )
        return SimpleNamespace(
            jelena=jelena.id,
            arben=arben.id,
            mariam=mariam.id,
            nadia=nadia.id,
            karim=karim.id,
            department=jelena.department_id,
        )


KARIM_PHONE = "+93701234571"


def karim_on_call(app: Flask) -> None:
    """Karim (male, not on any page) is on call by telephone with his verified number."""
    from rris.accounts.models.accounts import User
    from rris.extensions import db
    from rris.ondemand.services.on_call import set_phone_on_call

    with committed(app), app.test_request_context():
        karim = db.session.scalars(select(User).where(User.email == "karim@pool.example")).one()
        karim.phone, karim.phone_verified_at = KARIM_PHONE, NOW - timedelta(days=3)
        set_phone_on_call(karim, True, NOW - timedelta(days=1))


def signed_in(browser: Any, email: str) -> Any:
    """The browser, signed in as `email`."""
    response = browser.sign_in(email, PASSWORD)
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    return browser


def json_block(page: str, block_id: str) -> dict[str, Any]:
    """A page's JSON data block by its id."""
    found = re.search(rf'<script type="application/json" id="{block_id}">(.*?)</script>', page, re.S)
    assert found, f"no {block_id} block on the page"
    value = json.loads(found.group(1))
    assert isinstance(value, dict)
    return value
