"""Changing someone's account from its page: role and office, deactivation, sessions; as every role."""

import re

import pytest

from rris.access.domain.permissions import Actor, may_manage_account
from rris.access.queries.actors import account_facts, actor_of
from rris.access.queries.scoping import managed_accounts
from rris.accounts.models.accounts import User
from rris.accounts.services import account_changes
from rris.accounts.services.account_audit import Acting
from rris.accounts.services.api_tokens import create_api_token
from rris.accounts.services.placement import Placement
from rris.audit.models.entries import AuditEntry
from rris.common.domain.errors import Conflict
from rris.enums import Role
from rris.extensions import db
from tests import factories
from tests.accounts.account_world import act_on, signed_in
from tests.conftest import DEFAULT_NOW, committed


def account(app, user_id: int) -> User:
    with app.app_context():
        user = db.session.get_one(User, user_id)
        db.session.expunge(user)
        return user


# Who reaches which account page: 404 outside one's reach, as any record; 403 without the feature.
REACH = [
    ("nikola", "jelena", 200),
    ("nikola", "ana", 200),
    ("nikola", "mariam", 200),
    ("nikola", "nikola", 404),  # one's own account is kept on one's profile
    ("dragan", "jelena", 200),
    ("dragan", "arben", 404),  # another country's caseworker
    ("dragan", "besa", 404),  # another focal point
    ("dragan", "nikola", 404),
    ("elena", "mariam", 200),
    ("elena", "jelena", 404),
    ("elena", "nikola", 404),
    ("jelena", "arben", 403),
    ("mariam", "jelena", 403),
]


@pytest.mark.parametrize(("who", "whom", "status"), REACH)
def test_who_reaches_whose_account(app, browser, world, who, whom, status):
    signed_in(browser, who)
    assert browser.client.get(f"/accounts/{world[whom]}").status_code == status
    if status != 200:
        refused = browser.client.post(f"/accounts/{world[whom]}/sessions/end", data={"csrf_token": browser.last_token})
        assert refused.status_code in (400, status)


def test_each_role_lists_the_accounts_it_manages(app, browser, another_browser, world):
    everyone = signed_in(browser, "nikola").get("/accounts").get_data(as_text=True)
    assert all(name in everyone for name in ("Jelena", "Arben", "Dragan", "Besa", "Elena", "Ana"))
    serbian = signed_in(another_browser, "dragan").get("/accounts").get_data(as_text=True)
    assert "Jelena" in serbian and "Arben" not in serbian and "Besa" not in serbian
    albanians = browser.get(f"/accounts?country={world['albania']}").get_data(as_text=True)
    assert "Arben" in albanians and "Besa" in albanians and "Jelena" not in albanians
    admins = browser.get("/accounts?role=admin&q=ANA").get_data(as_text=True)
    assert "Ana" in admins and "Jelena" not in admins


def test_the_menu_shows_accounts_to_those_who_manage_some_and_authorities_to_admins(
    app, browser, another_browser, world
):
    admin_page = signed_in(browser, "nikola").get("/").get_data(as_text=True)
    assert 'href="/accounts"' in admin_page and 'href="/authorities"' in admin_page
    caseworker_page = signed_in(another_browser, "jelena").get("/").get_data(as_text=True)
    assert 'href="/accounts"' not in caseworker_page and 'href="/authorities"' not in caseworker_page


def test_deactivation_ends_sessions_and_api_tokens_and_sign_in(app, browser, another_browser, world):
    with committed(app):
        token = create_api_token(db.session.get_one(User, world["jelena"]), "case system", DEFAULT_NOW)[1]
    signed_in(another_browser, "jelena")
    assert another_browser.client.get("/bookings").status_code == 200
    bearer = {"Authorization": f"Bearer {token}", "Accept": "application/json"}
    assert another_browser.client.get("/api/v1/bookings", headers=bearer).status_code == 200
    signed_in(browser, "nikola")
    response = act_on(browser, world["jelena"], "deactivate", reason="Left the Asylum Office in December.")
    assert response.status_code == 302
    assert another_browser.client.get("/bookings").status_code == 302  # back to the sign-in page
    assert another_browser.client.get("/api/v1/bookings", headers=bearer).status_code == 401
    assert another_browser.sign_in("jelena@mup.rs.example", factories.PASSWORD).status_code == 422
    assert "inactive" in browser.get("/accounts?status=inactive").get_data(as_text=True)
    # And back: she signs in again.
    assert act_on(browser, world["jelena"], "reactivate", reason="Back from leave.").status_code == 302
    assert account(app, world["jelena"]).active


def test_a_change_of_privileges_needs_a_reason_named_on_the_form(app, browser, world):
    signed_in(browser, "nikola")
    response = act_on(browser, world["jelena"], "deactivate", reason="  ")
    assert response.status_code == 422
    assert "Say why; the audit trail keeps the reason." in response.get_data(as_text=True)
    assert account(app, world["jelena"]).active
    moved = act_on(browser, world["jelena"], "placement", role="caseworker", department_id=world["nis"], reason="")
    assert moved.status_code == 422
    assert account(app, world["jelena"]).department_id == world["belgrade"]


def test_an_admin_changes_a_role_and_the_holder_s_sessions_end(app, browser, another_browser, world):
    signed_in(another_browser, "jelena")
    signed_in(browser, "nikola")
    response = act_on(
        browser,
        world["jelena"],
        "placement",
        role="focal_point",
        country_id=world["serbia"],
        reason="Heads the office now.",
    )
    assert response.status_code == 302
    jelena = account(app, world["jelena"])
    assert (jelena.role, jelena.country_id, jelena.department_id) == (Role.FOCAL_POINT, world["serbia"], None)
    assert another_browser.client.get("/bookings").status_code == 302


def test_a_focal_point_moves_his_caseworker_within_his_country_only(app, browser, world):
    signed_in(browser, "dragan")
    to_nis = act_on(
        browser, world["jelena"], "placement", role="caseworker", department_id=world["nis"], reason="Moved."
    )
    assert to_nis.status_code == 302
    assert account(app, world["jelena"]).department_id == world["nis"]
    abroad = act_on(browser, world["jelena"], "placement", role="caseworker", department_id=world["tirana"], reason="x")
    assert abroad.status_code == 403
    promoted = act_on(browser, world["jelena"], "placement", role="admin", reason="x")
    assert promoted.status_code == 422 and "Choose a role from the list." in promoted.get_data(as_text=True)
    assert account(app, world["jelena"]).role is Role.CASEWORKER


def test_a_coordinator_ends_an_interpreter_s_sessions_but_deactivates_only_outside_the_pool(
    app, browser, another_browser, world
):
    signed_in(another_browser, "mariam")
    signed_in(browser, "elena")
    with app.app_context():
        profile_id = db.session.get_one(User, world["mariam"]).interpreter_profile.id
    profile_page = browser.get(f"/interpreters/{profile_id}").get_data(as_text=True)
    assert f'href="/accounts/{world["mariam"]}"' in profile_page  # the pool's page leads to the account
    page = browser.get(f"/accounts/{world['mariam']}").get_data(as_text=True)
    assert "Role and office" not in page  # an interpreter's role is their profile's
    assert f'href="/interpreters/{profile_id}"' in page
    assert act_on(browser, world["mariam"], "sessions/end").status_code == 302
    assert another_browser.client.get("/offers").status_code == 302
    refused = act_on(browser, world["mariam"], "deactivate", reason="Stopped working for the pool.")
    assert refused.status_code == 409
    assert "take them out of it on their page first" in refused.get_data(as_text=True)


def test_of_two_changes_made_at_once_the_second_is_told_not_lost(app, browser, another_browser, world):
    signed_in(browser, "nikola")
    signed_in(another_browser, "ana")
    page = browser.get(f"/accounts/{world['jelena']}")  # Nikola reads version 1
    token = browser.last_token
    assert (
        act_on(
            another_browser,
            world["jelena"],
            "placement",
            role="caseworker",
            department_id=world["nis"],
            reason="Moved to Niš.",
        ).status_code
        == 302
    )
    stale = browser.client.post(
        f"/accounts/{world['jelena']}/deactivate",
        data={"csrf_token": token, "version": "1", "reason": "Left."},
    )
    assert page.status_code == 200 and stale.status_code == 409
    assert "Someone else changed" in stale.get_data(as_text=True)
    jelena = account(app, world["jelena"])
    assert jelena.active and jelena.department_id == world["nis"]


def test_the_last_active_admin_is_neither_deactivated_nor_demoted(app, ctx, world):
    """Ana was deactivated while her request to remove Nikola was under way: Nikola stays."""
    with committed(app):
        db.session.get_one(User, world["ana"]).active = False
    acting = Acting(Actor(user_id=world["ana"], role=Role.ADMIN), "127.0.0.1", DEFAULT_NOW)
    with pytest.raises(Conflict, match="last active admin"):
        account_changes.deactivate(world["nikola"], 1, "Leaving.", acting)
    placement = Placement(Role.COORDINATOR)
    with pytest.raises(Conflict, match="last active admin"):
        account_changes.change_placement(world["nikola"], 1, placement, "Less to do.", acting)
    nikola = db.session.get_one(User, world["nikola"])
    assert nikola.active and nikola.role is Role.ADMIN


def test_every_change_is_in_the_audit_trail_with_its_reason_and_origin(app, browser, world, mailbox):
    signed_in(browser, "nikola")
    browser.submit(
        "/accounts/new",
        {"name": "Milan", "email": "milan@mup.rs.example", "role": "caseworker", "department_id": world["belgrade"]},
    )
    act_on(browser, world["jelena"], "placement", role="caseworker", department_id=world["nis"], reason="Moved to Niš.")
    act_on(browser, world["jelena"], "sessions/end")
    act_on(browser, world["jelena"], "deactivate", reason="Left the office.")
    act_on(browser, world["jelena"], "reactivate", reason="Came back.")
    act_on(browser, world["jelena"], "deactivate", reason="")  # refused: no entry
    with app.app_context():
        entries = db.session.scalars(db.select(AuditEntry).order_by(AuditEntry.id)).all()
        written = [(e.action, e.subject_id, e.reason, e.actor_user_id, e.origin, e.country_id) for e in entries]
        milan = db.session.scalar(db.select(User.id).where(User.email == "milan@mup.rs.example"))
        moved = entries[1].details
    jelena, nikola, serbia = str(world["jelena"]), world["nikola"], world["serbia"]
    assert written == [
        ("account.invited", str(milan), None, nikola, "127.0.0.1", serbia),
        ("account.department_changed", jelena, "Moved to Niš.", nikola, "127.0.0.1", serbia),
        ("account.sessions_ended", jelena, None, nikola, "127.0.0.1", serbia),
        ("account.deactivated", jelena, "Left the office.", nikola, "127.0.0.1", serbia),
        ("account.reactivated", jelena, "Came back.", nikola, "127.0.0.1", serbia),
    ]
    assert moved["from_department"] == str(world["belgrade"]) and moved["to_department"] == str(world["nis"])


def test_the_accounts_list_holds_exactly_the_accounts_the_rule_lets_one_manage(app, ctx, world):
    everyone = db.session.scalars(db.select(User)).all()
    for user in everyone:
        actor = actor_of(user)
        listed = {person.id for person in db.session.scalars(managed_accounts(actor))}
        ruled = {person.id for person in everyone if may_manage_account(actor, account_facts(person))}
        assert listed == ruled, user.email


def test_no_id_is_used_twice_on_the_pages_of_account_administration(app, browser, world):
    """Each label names one field: the account page's two reasons, the authority's forms."""
    signed_in(browser, "nikola")
    for path in (f"/accounts/{world['jelena']}", f"/authorities/{world['serbia']}", "/accounts/new", "/accounts"):
        page = browser.get(path).get_data(as_text=True)
        visible = re.sub(r'<input[^>]*type="hidden"[^>]*>', "", page)
        ids = re.findall(r'\bid="([^"]+)"', visible)
        assert len(ids) == len(set(ids)), (path, sorted({i for i in ids if ids.count(i) > 1}))
