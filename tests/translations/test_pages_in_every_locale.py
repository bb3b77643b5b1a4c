"""Every page, as every role, in every shipped locale: rendered without a template error, in the
page's language and direction, with no English sentence of the catalogue left on it."""

from __future__ import annotations

import html
import re
from collections.abc import Iterator

import pytest
from babel.messages.catalog import Catalog
from flask import Flask
from sqlalchemy import select

from rris.bookings.models.bookings import Booking
from rris.common.domain.locales import interface_locale
from rris.enums import Role
from rris.extensions import db
from tests import factories
from tests.conftest import committed
from tests.translations.catalogues import SHIPPED, catalogue

PAGES_BY_ROLE = {
    None: ["/login", "/password/forgot", "/no-such-page"],
    Role.CASEWORKER: ["/", "/bookings", "/bookings/new", "/bookings/{booking}", "/bookings/{booking}/notice",
                      "/calls/{booking}", "/profile", "/desk"],
    Role.FOCAL_POINT: ["/", "/departments", "/departments/{department}", "/reports?month=2026-01"],
    Role.INTERPRETER: ["/", "/offers", "/jobs", "/availability", "/bookings/{booking}", "/calls/{booking}", "/profile"],
    Role.COORDINATOR: ["/", "/desk", "/bookings/{booking}", "/interpreters", "/interpreters/{interpreter}",
                       "/interpreters/{interpreter}/edit", "/interpreters/new", "/pool/accreditations",
                       "/pool/import", "/pool/phone-countries", "/reports?month=2026-01",
                       "/reports/print?month=2026-01"],
    Role.ADMIN: ["/"],
}
# Sentences that legitimately stay English on a page (a language's own name, a code's example).
STAYS_ENGLISH = frozenset({"English"})
TAG = re.compile(r"<script\b.*?</script>|<style\b.*?</style>|<[^>]+>", re.DOTALL)


def english_sentences(translations: Catalog) -> frozenset[str]:
    """The catalogue's English sentences (three words or more, no placeholders) it translates otherwise."""
    found = set()
    for message in translations:
        if not message.id or not isinstance(message.id, str) or not isinstance(message.string, str):
            continue
        english = message.id
        if len(english.split()) >= 3 and "%" not in english and "{" not in english and message.string != english:
            found.add(english)
    return frozenset(found - STAYS_ENGLISH)


def visible_text(page: str) -> str:
    return " ".join(html.unescape(TAG.sub(" ", page)).split())


@pytest.fixture
def people(app: Flask, booked: int) -> Iterator[tuple[dict[Role, str], dict[str, int]]]:
    with committed(app):
        booking = db.session.execute(select(Booking).where(Booking.id == booked)).scalar_one()
        caseworker = booking.created_by
        interpreter = booking.assignments[0].interpreter
        emails = {
            Role.CASEWORKER: caseworker.email,
            Role.INTERPRETER: interpreter.user.email,
            Role.FOCAL_POINT: factories.user(Role.FOCAL_POINT, country=caseworker.department.country).email,
            Role.COORDINATOR: factories.user(Role.COORDINATOR).email,
            Role.ADMIN: factories.user(Role.ADMIN).email,
        }
        ids = {"booking": booked, "department": caseworker.department_id, "interpreter": interpreter.id}
    yield emails, ids


@pytest.mark.parametrize("locale", SHIPPED)
def test_every_page_reads_wholly_in_the_locale(app, people, locale):
    emails, ids = people
    tag = interface_locale(locale).tag
    direction = interface_locale(locale).direction
    left_in_english = english_sentences(catalogue(locale))
    problems = []
    for role, pages in PAGES_BY_ROLE.items():
        client = app.test_client()
        client.environ_base["HTTP_ACCEPT_LANGUAGE"] = tag
        if role is not None:
            page = client.get("/login").get_data(as_text=True)
            token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
            answer = client.post(
                "/login", data={"email": emails[role], "password": factories.PASSWORD, "csrf_token": token}
            )
            assert answer.status_code == 302, f"{role} could not sign in"
        for path in pages:
            url = path.format(**ids)
            response = client.get(url)
            page = response.get_data(as_text=True)
            where = f"{locale} {role or 'signed out'} {url} ({response.status_code})"
            if response.status_code >= 500 or "<html" not in page:
                problems.append(f"{where}: no page")
                continue
            if f'lang="{tag}"' not in page or f'dir="{direction}"' not in page:
                problems.append(f"{where}: not marked {tag} {direction}")
            text = visible_text(page)
            problems += [f"{where}: English left: {sentence!r}" for sentence in left_in_english if sentence in text]
    assert problems == [], "\n".join(problems[:40])
