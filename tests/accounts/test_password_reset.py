"""A forgotten password is reset through a link e-mailed by a real SMTP server."""

import re
from datetime import timedelta

from tests import factories
from tests.conftest import committed
from tests.support.catalogues import only_these_translations

NEW_PASSWORD = "lanterns over the danube"
RESET_SUBJECT = "Reset your RRIS password"


def reset_link(mailbox) -> str:
    (message,) = mailbox.wait_for(1)
    body = message.get_body(preferencelist=("plain",)).get_content()
    return re.search(r"https://rris\.test(/password/reset/\S+)", body).group(1)


def test_the_link_arrives_by_mail_and_sets_a_new_password(app, browser, mailbox):
    with committed(app):
        factories.caseworker(email="milan.jovanovic@mup.rs.example", name="Milan Jovanović", locale="en")
    response = browser.submit("/password/forgot", {"email": "Milan.Jovanovic@mup.rs.example"})
    assert response.status_code == 302
    (message,) = mailbox.wait_for(1)
    assert message["To"] == "milan.jovanovic@mup.rs.example"
    assert message["Subject"] == "Reset your RRIS password"
    link = reset_link(mailbox)
    assert browser.submit(link, {"password": NEW_PASSWORD, "confirm": NEW_PASSWORD}).status_code == 302
    assert browser.sign_in("milan.jovanovic@mup.rs.example", factories.PASSWORD).status_code == 422
    assert browser.sign_in("milan.jovanovic@mup.rs.example", NEW_PASSWORD).status_code == 302


def test_the_link_works_only_once(app, browser, mailbox):
    with committed(app):
        factories.caseworker(email="vesna@mup.rs.example")
    browser.submit("/password/forgot", {"email": "vesna@mup.rs.example"})
    link = reset_link(mailbox)
    browser.submit(link, {"password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    again = browser.client.get(link)
    assert again.status_code == 422
    assert "invalid or has expired" in again.get_data(as_text=True)


def test_the_link_expires(app, browser, mailbox, clock):
    with committed(app):
        factories.caseworker(email="goran@mup.rs.example")
    browser.submit("/password/forgot", {"email": "goran@mup.rs.example"})
    link = reset_link(mailbox)
    clock.advance(timedelta(minutes=61))
    assert browser.client.get(link).status_code == 422


def test_an_unknown_address_gets_the_same_answer_and_no_mail(app, browser, mailbox):
    response = browser.submit("/password/forgot", {"email": "nobody@nowhere.example"})
    assert response.status_code == 302
    assert mailbox.messages == []


def test_a_too_short_new_password_is_refused_with_the_field_named(app, browser, mailbox):
    with committed(app):
        factories.caseworker(email="ivana@mup.rs.example")
    browser.submit("/password/forgot", {"email": "ivana@mup.rs.example"})
    link = reset_link(mailbox)
    response = browser.submit(link, {"password": "short", "confirm": "short"})
    assert response.status_code == 422
    assert "Use at least 12 characters." in response.get_data(as_text=True)


def test_the_mail_speaks_the_account_holder_s_language_not_the_asking_browser_s(app, browser, mailbox, tmp_path):
    """Whoever types the address, the mail goes in the language of the person it is for: the one
    they chose, else their office's (Turkey's: Turkish)."""
    with committed(app):
        factories.interpreter(email="parwana@pool.example", locale="fa_AF")
        factories.caseworker("TR", email="ayse@goc.gov.tr.example")
    sentences = {
        "fa_AF": {RESET_SUBJECT: "رمز RRIS خود را از نو تعیین کنید"},
        "tr": {RESET_SUBJECT: "RRIS parolanızı sıfırlayın"},
    }
    with only_these_translations(app, tmp_path, sentences):
        for email in ("parwana@pool.example", "ayse@goc.gov.tr.example"):
            browser.submit("/password/forgot", {"email": email}, headers={"Accept-Language": "sr-Latn"})
        arrived = {message["To"]: (message["Subject"], message["Content-Language"]) for message in mailbox.wait_for(2)}
    assert arrived == {
        "parwana@pool.example": ("رمز RRIS خود را از نو تعیین کنید", "fa-AF"),
        "ayse@goc.gov.tr.example": ("RRIS parolanızı sıfırlayın", "tr"),
    }
