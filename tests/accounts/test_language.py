"""The language a person reads RRIS in: the browser's Accept-Language, the header's switcher
(signed out: a cookie; signed in: the profile too), the profile's choice; `lang` and `dir`."""

import re
from pathlib import Path

import pytest
from sqlalchemy import select

from rris.accounts.models.accounts import User
from rris.common.web.page_locale import LOCALE_COOKIE
from rris.enums import Role
from rris.extensions import db
from tests import factories
from tests.conftest import committed
from tests.support.catalogues import only_these_translations
from tests.support.page_strings import script_strings
from tests.translations.catalogues import catalogue

HTML_TAG = re.compile(r'<html lang="([^"]+)" dir="([^"]+)" data-formats="[^"]+">')
API_SIGN_IN = "Sign in, or send a valid API token as 'Authorization: Bearer'."


def lang_and_dir(response) -> tuple[str, str]:
    match = HTML_TAG.search(response.get_data(as_text=True))
    assert match, "no <html lang dir> on the page"
    return match.group(1), match.group(2)


def stored_locale(app, email: str) -> str | None:
    with app.app_context():
        return db.session.scalar(select(User.locale).where(User.email == email))


def caseworker(app, email="jelena@mup.rs.example", **fields) -> str:
    with committed(app):
        factories.caseworker("RS", email=email, name="Jelena Marković", **fields)
    return email


def switch(browser, locale: str, next_page: str = "/login", page: str = "/login"):
    """Use the header's switcher on `page`, as a browser without JavaScript submits it."""
    return browser.submit(page, {"locale": locale, "next": next_page}, post_to="/language")


@pytest.mark.parametrize(
    ("accept_language", "lang", "direction"),
    [
        ("sr-ME,sr;q=0.8,en;q=0.5", "sr-Latn", "ltr"),
        ("sr", "sr-Cyrl", "ltr"),
        ("ps-AF,ps;q=0.9", "ps", "rtl"),
        ("prs", "fa-AF", "rtl"),
        ("de-DE,de;q=0.9", "en", "ltr"),
        ("", "en", "ltr"),
    ],
)
def test_the_browser_s_accept_language_picks_the_page_s_language_and_direction(
    app, browser, accept_language, lang, direction
):
    response = browser.client.get("/login", headers={"Accept-Language": accept_language})
    assert lang_and_dir(response) == (lang, direction)
    assert response.headers["Content-Language"] == lang
    assert "Accept-Language" in response.headers["Vary"]


def test_the_switcher_sits_in_the_header_for_everyone_with_each_language_named_in_itself(app, browser):
    page = browser.client.get("/login", headers={"Accept-Language": "mk"}).get_data(as_text=True)
    header = page.split("</header>")[0]
    assert 'action="/language"' in header and 'name="csrf_token"' in header
    assert '<option value="mk" lang="mk" dir="ltr" selected>Македонски</option>' in header
    assert '<option value="fa_AF" lang="fa-AF" dir="rtl">دری</option>' in header
    assert 'name="next" value="/login"' in header
    email = caseworker(app)
    browser.sign_in(email, factories.PASSWORD)
    home = browser.get("/").get_data(as_text=True)
    assert 'action="/language"' in home.split("</header>")[0]


def test_signed_out_the_switcher_keeps_the_choice_in_a_cookie_and_returns_to_the_same_page(app, browser):
    response = switch(browser, "fa_AF", next_page="/password/forgot?from=switcher")
    assert response.status_code == 303
    assert response.headers["Location"] == "/password/forgot?from=switcher"
    cookie = browser.client.get_cookie(LOCALE_COOKIE)
    assert cookie is not None and cookie.value == "fa_AF" and cookie.http_only
    # The cookie beats the browser's own languages from now on.
    page = browser.client.get("/password/forgot", headers={"Accept-Language": "tr"})
    assert lang_and_dir(page) == ("fa-AF", "rtl")


def test_signed_in_the_switcher_also_keeps_the_choice_on_the_profile(app, browser, another_browser):
    email = caseworker(app)
    browser.sign_in(email, factories.PASSWORD)
    response = switch(browser, "tr", next_page="/bookings", page="/")
    assert response.status_code == 303 and response.headers["Location"] == "/bookings"
    assert stored_locale(app, email) == "tr"
    # Another browser, whose own languages ask for Arabic, shows the profile's choice once signed in.
    another_browser.sign_in(email, factories.PASSWORD)
    page = another_browser.client.get("/", headers={"Accept-Language": "ar"})
    assert lang_and_dir(page) == ("tr", "ltr")


def test_the_profile_s_choice_beats_the_browser_s_languages_and_the_cookie(app, browser):
    switch(browser, "sq")  # a cookie from before signing in
    email = caseworker(app, locale="mk")
    browser.sign_in(email, factories.PASSWORD)
    page = browser.client.get("/profile", headers={"Accept-Language": "ar,en;q=0.5"})
    assert lang_and_dir(page) == ("mk", "ltr")


def test_the_switcher_refuses_a_language_rris_does_not_speak_and_names_the_field(app, browser):
    response = switch(browser, "de")
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "RRIS does not speak “de”. Choose one of: English, Shqip, Bosanski" in page
    assert browser.client.get_cookie(LOCALE_COOKIE) is None


@pytest.mark.parametrize(
    "target", ["//evil.example/", "https://evil.example/login", "/\\evil.example", "/\tevil", "javascript:alert(1)"]
)
def test_the_switcher_refuses_to_send_the_browser_to_another_site(app, browser, target):
    email = caseworker(app)
    browser.sign_in(email, factories.PASSWORD)
    response = switch(browser, "sr_Latn", next_page=target, page="/")
    assert response.status_code == 422
    assert "Location" not in response.headers
    assert "The page to return to must be on this site." in response.get_data(as_text=True)
    assert stored_locale(app, email) is None  # nothing half-done: the profile is unchanged too


def test_the_switcher_needs_the_form_s_csrf_token(app, browser):
    response = browser.client.post("/language", data={"locale": "tr", "next": "/login"})
    assert response.status_code == 400
    assert browser.client.get_cookie(LOCALE_COOKIE) is None


def test_a_person_chooses_their_language_on_the_profile_and_can_hand_it_back_to_the_browser(app, browser):
    email = caseworker(app)
    browser.sign_in(email, factories.PASSWORD)
    profile = browser.get("/profile", headers={"Accept-Language": "sq"}).get_data(as_text=True)
    browser_choice = catalogue("sq").get("The language my browser asks for (now %(name)s)").string
    assert 'id="language"' in profile and browser_choice % {"name": "Shqip"} in profile
    chosen = browser.submit("/profile", {"locale": "sr_Cyrl"}, post_to="/profile/language")
    assert chosen.status_code == 302 and stored_locale(app, email) == "sr_Cyrl"
    assert lang_and_dir(browser.client.get("/profile", headers={"Accept-Language": "sq"})) == ("sr-Cyrl", "ltr")
    handed_back = browser.submit("/profile", {"locale": ""}, post_to="/profile/language")
    assert handed_back.status_code == 302 and stored_locale(app, email) is None
    assert browser.client.get_cookie(LOCALE_COOKIE) is None
    assert lang_and_dir(browser.client.get("/profile", headers={"Accept-Language": "sq"})) == ("sq", "ltr")


def test_the_profile_refuses_an_unknown_language_next_to_the_field(app, browser):
    email = caseworker(app)
    browser.sign_in(email, factories.PASSWORD)
    response = browser.submit("/profile", {"locale": "klingon"}, post_to="/profile/language")
    assert response.status_code == 422
    assert 'id="locale-error"' in response.get_data(as_text=True)
    assert stored_locale(app, email) is None


@pytest.fixture
def serbian_catalogue(app, tmp_path: Path):
    """A test-only Serbian Latin catalogue of one sentence."""
    sentence = "Prijavite se ili pošaljite važeći API token kao 'Authorization: Bearer'."
    with only_these_translations(app, tmp_path, {"sr_Latn": {API_SIGN_IN: sentence}}):
        yield


def test_the_api_s_problem_documents_follow_accept_language(app, serbian_catalogue):
    client = app.test_client()
    answer = client.get("/api/v1/bookings", headers={"Accept-Language": "sr-Latn-RS, en;q=0.5"})
    assert answer.status_code == 401 and answer.mimetype == "application/problem+json"
    assert answer.get_json()["detail"] == "Prijavite se ili pošaljite važeći API token kao 'Authorization: Bearer'."
    assert answer.headers["Content-Language"] == "sr-Latn"
    english = client.get("/api/v1/bookings", headers={"Accept-Language": "en"})
    assert english.get_json()["detail"] == API_SIGN_IN
    assert english.headers["Content-Language"] == "en"


def test_a_problem_document_s_title_is_in_the_request_s_language_and_its_type_and_status_stay(app):
    client = app.test_client()
    serbian = client.get("/api/v1/nothing-here", headers={"Accept-Language": "sr-Latn"}).get_json()
    assert serbian == {"type": "about:blank", "title": "Nije pronađeno", "status": 404}
    unsigned = client.get("/api/v1/bookings", headers={"Accept-Language": "sr-Latn"}).get_json()
    assert (unsigned["title"], unsigned["status"]) == ("Neovlašćen pristup", 401)
    assert unsigned["detail"] == "Prijavite se ili pošaljite važeći API token kao 'Authorization: Bearer'."
    cyrillic = client.get("/api/v1/nothing-here", headers={"Accept-Language": "sr"}).get_json()
    assert cyrillic["title"] == "Није пронађено"
    english = client.get("/api/v1/nothing-here", headers={"Accept-Language": "en"}).get_json()
    assert english == {"type": "about:blank", "title": "Not Found", "status": 404}


def test_a_case_system_s_accept_language_comes_before_its_owner_s_profile(app):
    with committed(app):
        factories.user(Role.COORDINATOR, email="elena@marri.example", locale="mk")
    secret = app.test_cli_runner().invoke(args=["tokens", "create", "elena@marri.example"]).output.strip()
    client, bearer = app.test_client(), {"Authorization": f"Bearer {secret}"}
    asked = client.get("/api/v1/languages?q=pus", headers={**bearer, "Accept-Language": "tr"})
    assert asked.status_code == 200 and asked.headers["Content-Language"] == "tr"
    unasked = client.get("/api/v1/languages?q=pus", headers=bearer)
    assert unasked.headers["Content-Language"] == "mk"  # no language asked for: the owner's


def test_the_booking_form_gives_its_script_its_sentences_with_the_locale_s_plural_forms(app, browser):
    email = caseworker(app, locale="sr_Latn")
    browser.sign_in(email, factories.PASSWORD)
    page = browser.get("/bookings/new").get_data(as_text=True)
    strings = script_strings(page)
    # Serbian has three plural categories for whole numbers; the script picks one with Intl.PluralRules.
    assert set(strings["eligible"]) == {"one", "few", "other"}
    serbian = catalogue("sr_Latn")
    assert strings["eligible"]["one"] == serbian.get("{count} interpreter fits.").string[0]
    assert strings["nobody_free"] == serbian.get("No interpreter is free at that time.").string
    assert '<script type="module" src="/static/js/booking-form.js">' in page


def test_a_right_to_left_page_points_its_arrows_the_way_it_reads(app, browser, booked):
    with committed(app):
        db.session.scalars(select(User).where(User.email == "jelena@mup.rs.example")).one().locale = "ar"
    browser.sign_in("jelena@mup.rs.example", factories.PASSWORD)
    page = browser.get(f"/bookings/{booked}")
    assert lang_and_dir(page) == ("ar", "rtl")
    heading = re.search(r"<h1>(.*?)</h1>", page.get_data(as_text=True)).group(1)
    assert "←" in heading and "→" not in heading  # the applicant's language, then the officer's: right to left
    with committed(app):
        db.session.scalars(select(User).where(User.email == "jelena@mup.rs.example")).one().locale = None
    assert "Pashto → Serbian" in browser.get(f"/bookings/{booked}").get_data(as_text=True)
