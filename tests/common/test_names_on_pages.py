"""Where people read a country's or a language's name, it is CLDR's in their language: the booking
form's departments, the report's filters and notes, the API, a message's summary; Kosovo* with its
asterisk and the footnote in that language, on the page it is named on."""

from __future__ import annotations

import html

import pytest

from rris.access.domain.case_access import Disclosure
from rris.enums import Role
from rris.extensions import db
from rris.notifications.services.messages import addressed_to, summary_lines
from rris.pool.models.geography import Department
from tests import factories
from tests.conftest import committed

SERBIAN_FOOTNOTE = (
    "Овај назив не прејудицира ставове о статусу и у складу је са Резолуцијом СБУН 1244/1999 "
    "и мишљењем МСП о проглашењу независности Косова."
)
ENGLISH_FOOTNOTE = (
    "This designation is without prejudice to positions on status, and is in line with UNSCR 1244/1999 "
    "and the ICJ Opinion on the Kosovo declaration of independence."
)
SERBIAN_CYRILLIC = "sr-Cyrl,sr;q=0.9"


@pytest.fixture
def offices(app):
    """A caseworker in Pristina, one in Belgrade, a coordinator; interpreters of Dari and Arabic."""
    with committed(app):
        pristina = factories.department("XK", "Asylum Office Pristina")
        belgrade = factories.department("RS", "Asylum Office Belgrade")
        factories.department("TR", "Presidency of Migration Management, Ankara")
        factories.user(Role.CASEWORKER, email="arta@asylum.xk.example", department=pristina)
        factories.user(Role.CASEWORKER, email="jelena@mup.rs.example", department=belgrade)
        factories.user(Role.COORDINATOR, email="elena@marri.example", timezone="Europe/Skopje")
        factories.interpreter(email="farid@pool.example", pairs=(("prs", "srp"),))
        factories.interpreter(email="amal@pool.example", pairs=(("arb", "srp"),), zone="Asia/Amman")
        return {"pristina": pristina.id}


def page(browser, email: str, path: str, language: str) -> str:
    browser.sign_in(email, factories.PASSWORD)
    response = browser.client.get(path, headers={"Accept-Language": language})
    assert response.status_code == 200
    return html.unescape(response.get_data(as_text=True))


def footer(text: str) -> str:
    return text[text.index('<footer class="site-footer">') :]


def test_the_booking_form_in_serbian_cyrillic_names_kosovo_with_its_asterisk_and_footnote(offices, browser):
    text = page(browser, "arta@asylum.xk.example", "/bookings/new", SERBIAN_CYRILLIC)
    assert f'<option selected value="{offices["pristina"]}">Asylum Office Pristina (Косово*)</option>' in text
    assert SERBIAN_FOOTNOTE in footer(text)
    assert "Kosovo" not in text and ENGLISH_FOOTNOTE not in text


def test_the_booking_form_in_serbian_cyrillic_names_serbia_without_a_footnote(offices, browser):
    text = page(browser, "jelena@mup.rs.example", "/bookings/new", SERBIAN_CYRILLIC)
    assert "Asylum Office Belgrade (Србија)</option>" in text
    assert "Serbia" not in text and "1244" not in text


@pytest.mark.parametrize(
    ("language", "dari", "arabic"),
    [("ps", "دری (افغانستان)", "نوې معياري عربي"), ("ar", "الدارية", "العربية الفصحى الحديثة")],
    ids=["ps", "ar"],
)
def test_the_booking_form_names_dari_and_standard_arabic_by_cldr_in_pashto_and_arabic(
    offices, browser, language, dari, arabic
):
    text = page(browser, "jelena@mup.rs.example", "/bookings/new", language)
    assert f'<option value="prs">{dari} (prs)</option>' in text
    assert f'<option value="arb">{arabic} (arb)</option>' in text
    assert "Dari" not in text and "Standard Arabic" not in text


def test_the_report_in_serbian_cyrillic_names_every_country_in_cyrillic_and_kosovo_with_its_footnote(offices, browser):
    text = page(browser, "elena@marri.example", "/reports?month=2026-01", SERBIAN_CYRILLIC)
    for option in ("Косово*", "Србија", "Турска", "Asylum Office Pristina (Косово*)"):
        assert f">{option}</option>" in text
    assert f"<li>Косово*: {SERBIAN_FOOTNOTE}</li>" in text
    assert SERBIAN_FOOTNOTE in footer(text)
    assert [name for name in ("Kosovo", "Serbia", "Turkey", "Türkiye", ENGLISH_FOOTNOTE) if name in text] == []


def test_the_api_names_a_country_in_the_language_asked_for(offices, browser):
    browser.sign_in("arta@asylum.xk.example", factories.PASSWORD)
    me = browser.client.get("/api/v1/me", headers={"Accept-Language": SERBIAN_CYRILLIC}).get_json()
    assert me["department"]["country"]["name"] == "Косово*"
    assert me["department"]["country"]["footnote"] == SERBIAN_FOOTNOTE
    english = browser.client.get("/api/v1/me", headers={"Accept-Language": "en"}).get_json()
    assert (english["department"]["country"]["name"], english["department"]["country"]["footnote"]) == (
        "Kosovo*",
        ENGLISH_FOOTNOTE,
    )


def test_a_messages_summary_names_kosovo_and_its_footnote_in_the_recipients_language(app, offices):
    with app.app_context():
        pristina = db.session.get(Department, offices["pristina"])
        booking = factories.booking(pristina, officer_language="sqi")
        recipient = factories.user(Role.CASEWORKER, department=pristina, locale="sr_Cyrl")
        with addressed_to(recipient, booking.starts_at) as to:
            lines = summary_lines(booking, to, Disclosure.INSTITUTION)
        db.session.rollback()
    assert any(line.endswith("Asylum Office Pristina, Косово*") for line in lines)
    assert f"* {SERBIAN_FOOTNOTE}" in lines
