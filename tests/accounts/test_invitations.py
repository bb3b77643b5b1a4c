"""An invitation by e-mail, through a real SMTP server, from the link to the first sign-in."""

from datetime import timedelta

from rris.accounts.models.accounts import User
from rris.extensions import db
from tests.accounts.account_world import act_on, invite_link, signed_in
from tests.conftest import committed

PASSWORD = "lanterns over the danube"


def invite_milan(browser, world, **extra):
    return browser.submit(
        "/accounts/new",
        {
            "name": "Milan Jovanović",
            "email": "Milan@MUP.rs.example",
            "role": "caseworker",
            "department_id": world["belgrade"],
            "country_id": "",
            "locale": "",
            **extra,
        },
    )


def test_an_admin_invites_a_caseworker_who_chooses_a_password_and_signs_in(
    app, browser, another_browser, world, mailbox
):
    signed_in(browser, "nikola")
    response = invite_milan(browser, world, locale="en")
    assert response.status_code == 302
    (message,) = mailbox.wait_for(1)
    assert message["To"] == "milan@mup.rs.example"
    assert message["Subject"] == "Your RRIS account"
    assert "Nikola has opened an RRIS account for you" in message.get_body(preferencelist=("plain",)).get_content()
    link = invite_link(mailbox)
    listed = browser.get("/accounts?status=active&q=milan").get_data(as_text=True)
    assert "Milan Jovanović" in listed and "invited" in listed
    # Nobody signs in as Milan before he has chosen a password.
    assert another_browser.sign_in("milan@mup.rs.example", PASSWORD).status_code == 422
    page = another_browser.get(link)
    assert page.status_code == 200 and "Welcome to RRIS" in page.get_data(as_text=True)
    assert another_browser.submit(link, {"password": PASSWORD, "confirm": PASSWORD}).status_code == 302
    assert another_browser.sign_in("milan@mup.rs.example", PASSWORD).status_code == 302
    assert another_browser.client.get("/bookings/new").status_code == 200
    # The link was good for one password only.
    assert another_browser.client.get(link).status_code == 422
    with app.app_context():
        milan = db.session.scalar(db.select(User).where(User.email == "milan@mup.rs.example"))
        assert milan.invited_at is None and milan.department_id == world["belgrade"]


def test_the_invitation_speaks_the_office_s_language_unless_the_inviter_picks_one(app, browser, world, mailbox):
    signed_in(browser, "nikola")
    invite_milan(browser, world)
    (message,) = mailbox.wait_for(1)
    assert message["Content-Language"] == "sr-Cyrl"
    mailbox.clear()
    browser.submit(
        "/accounts/new",
        {
            "name": "Arta",
            "email": "arta@asylum.al.example",
            "role": "caseworker",
            "department_id": world["tirana"],
            "locale": "tr",
        },
    )
    (message,) = mailbox.wait_for(1)
    assert message["Content-Language"] == "tr"


def test_the_link_expires_and_a_new_invitation_voids_the_last(app, browser, another_browser, world, mailbox, clock):
    signed_in(browser, "nikola")
    invite_milan(browser, world)
    first = invite_link(mailbox)
    clock.advance(timedelta(hours=73))
    assert another_browser.client.get(first).status_code == 422
    with app.app_context():
        milan = db.session.scalar(db.select(User).where(User.email == "milan@mup.rs.example"))
        milan_id = milan.id
    mailbox.clear()
    signed_in(browser, "nikola")
    assert act_on(browser, milan_id, "invitation").status_code == 302
    second = invite_link(mailbox)
    mailbox.clear()
    act_on(browser, milan_id, "invitation")
    third = invite_link(mailbox)
    assert another_browser.client.get(second).status_code == 422
    assert another_browser.submit(third, {"password": PASSWORD, "confirm": PASSWORD}).status_code == 302
    # Once the password is chosen, there is nothing to send any more.
    refused = act_on(browser, milan_id, "invitation")
    assert refused.status_code == 409


def test_bad_input_names_each_field_and_writes_nothing(app, browser, world, mailbox):
    signed_in(browser, "nikola")
    response = browser.submit(
        "/accounts/new",
        {"name": " ", "email": "jelena@mup.rs.example", "role": "caseworker", "department_id": "", "locale": "xx"},
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Enter the person&#39;s name." in page or "Enter the person's name." in page
    assert "An account with this e-mail address exists already." in page
    assert "A caseworker belongs to an open department; choose one." in page
    assert "RRIS does not speak" in page
    assert mailbox.messages == []


def test_a_focal_point_invites_only_caseworkers_of_his_own_country(app, browser, world, mailbox):
    signed_in(browser, "dragan")
    as_admin = browser.submit(
        "/accounts/new", {"name": "X", "email": "x@mup.rs.example", "role": "admin", "department_id": ""}
    )
    assert as_admin.status_code == 422 and "Choose a role from the list." in as_admin.get_data(as_text=True)
    abroad = browser.submit(
        "/accounts/new",
        {"name": "Y", "email": "y@asylum.al.example", "role": "caseworker", "department_id": world["tirana"]},
    )
    assert abroad.status_code == 403
    at_home = browser.submit(
        "/accounts/new",
        {"name": "Z", "email": "z@mup.rs.example", "role": "caseworker", "department_id": world["nis"]},
    )
    assert at_home.status_code == 302
    assert len(mailbox.wait_for(1)) == 1


def test_coordinators_and_caseworkers_invite_nobody(app, browser, another_browser, world):
    assert signed_in(browser, "elena").client.get("/accounts/new").status_code == 403
    assert signed_in(another_browser, "jelena").client.get("/accounts/new").status_code == 403


def test_the_invitation_form_checks_its_csrf_token(app, browser, world):
    signed_in(browser, "nikola")
    response = browser.client.post("/accounts/new", data={"name": "A", "email": "a@b.example", "role": "admin"})
    assert response.status_code == 400
    with committed(app):
        assert db.session.scalar(db.select(User).where(User.email == "a@b.example")) is None
