"""The people account administration is tried with: two countries' offices, every role, two admins."""

from __future__ import annotations

import re

import pytest

from rris.enums import Role
from tests import factories
from tests.conftest import committed

INVITE_LINK = re.compile(r"https://rris\.test(/invitation/\S+)")


@pytest.fixture
def world(app):
    """Serbia (Belgrade, Niš) and Albania (Tirana): a caseworker in each office, a Serbian focal
    point, an Albanian one, an interpreter, a coordinator and two admins."""
    with committed(app):
        belgrade = factories.department("RS", "Asylum Office Belgrade")
        nis = factories.department("RS", "Asylum Office Niš")
        tirana = factories.department("AL", "Directorate for Asylum Tirana")
        people = {
            "jelena": factories.user(
                Role.CASEWORKER, email="jelena@mup.rs.example", name="Jelena", department=belgrade
            ),
            "arben": factories.user(Role.CASEWORKER, email="arben@asylum.al.example", name="Arben", department=tirana),
            "dragan": factories.user(
                Role.FOCAL_POINT, email="dragan@mup.rs.example", name="Dragan", country=belgrade.country
            ),
            "besa": factories.user(
                Role.FOCAL_POINT, email="besa@asylum.al.example", name="Besa", country=tirana.country
            ),
            "mariam": factories.interpreter(email="mariam@pool.example").user,
            "elena": factories.user(Role.COORDINATOR, email="elena@marri.example", name="Elena"),
            "nikola": factories.user(Role.ADMIN, email="nikola@ops.example", name="Nikola"),
            "ana": factories.user(Role.ADMIN, email="ana@ops.example", name="Ana"),
        }
        ids = {name: person.id for name, person in people.items()}
        ids.update(
            belgrade=belgrade.id, nis=nis.id, tirana=tirana.id, serbia=belgrade.country_id, albania=tirana.country_id
        )
    return ids


EMAILS = {
    "jelena": "jelena@mup.rs.example",
    "arben": "arben@asylum.al.example",
    "dragan": "dragan@mup.rs.example",
    "besa": "besa@asylum.al.example",
    "mariam": "mariam@pool.example",
    "elena": "elena@marri.example",
    "nikola": "nikola@ops.example",
    "ana": "ana@ops.example",
}


def signed_in(browser, who: str):
    """The browser, signed in as `who` of the world."""
    assert browser.sign_in(EMAILS[who], factories.PASSWORD).status_code == 302
    return browser


def invite_link(mailbox) -> str:
    """The path of the invitation link in the one mail that arrived."""
    (message,) = mailbox.wait_for(1)
    body = message.get_body(preferencelist=("plain",)).get_content()
    return INVITE_LINK.search(body).group(1)


VERSION = re.compile(r'name="version" type="hidden" value="(\d+)"|name="version" value="(\d+)"')


def act_on(browser, user_id: int, action: str, **data: object):
    """Post one of an account page's forms as the page shows it (its CSRF token and account version)."""
    page = browser.get(f"/accounts/{user_id}").get_data(as_text=True)
    found = VERSION.search(page)
    version = found.group(1) or found.group(2) if found else ""
    return browser.client.post(
        f"/accounts/{user_id}/{action}", data={"version": version, "csrf_token": browser.last_token, **data}
    )
