"""Institution scoping: each role sees its own institution's records, by page and by API."""

import pytest

from rris.enums import Role
from tests import factories
from tests.conftest import committed


@pytest.fixture
def world(app):
    """Serbia and Albania, each with a department and a caseworker; a Serbian focal point;
    two interpreters; a coordinator."""
    with committed(app):
        belgrade = factories.department("RS", "Asylum Office Belgrade")
        tirana = factories.department("AL", "Directorate for Asylum Tirana")
        kosovo = factories.department("XK", "Asylum Office Pristina")
        factories.user(Role.CASEWORKER, email="jelena@mup.rs.example", department=belgrade)
        factories.user(Role.CASEWORKER, email="arben@asylum.al.example", department=tirana)
        factories.user(Role.FOCAL_POINT, email="dragan@mup.rs.example", country=belgrade.country)
        mariam = factories.interpreter(email="mariam@pool.example")
        omid = factories.interpreter(email="omid@pool.example", zone="Asia/Tehran", pairs=(("pes", "eng"),))
        factories.user(Role.COORDINATOR, email="elena@marri.example", timezone="Europe/Skopje")
        ids = {
            "belgrade": belgrade.id,
            "tirana": tirana.id,
            "kosovo": kosovo.id,
            "mariam": mariam.id,
            "omid": omid.id,
        }
    return ids


def signed_in(browser, email):
    assert browser.sign_in(email, factories.PASSWORD).status_code == 302
    return browser


def test_a_serbian_caseworker_gets_404_for_an_albanian_department_by_url_and_api(app, browser, world):
    signed_in(browser, "jelena@mup.rs.example")
    assert browser.client.get(f"/departments/{world['belgrade']}").status_code == 200
    assert browser.client.get(f"/departments/{world['tirana']}").status_code == 404
    assert browser.client.get(f"/api/v1/departments/{world['tirana']}").status_code == 404
    listed = browser.client.get("/api/v1/departments").get_json()["items"]
    assert [item["id"] for item in listed] == [world["belgrade"]]


def test_a_caseworker_does_not_see_another_department_of_her_own_country(app, browser, world):
    with committed(app):
        other = factories.department("RS", "Reception Centre Krnjača").id
    signed_in(browser, "jelena@mup.rs.example")
    assert browser.client.get(f"/departments/{other}").status_code == 404


def test_a_focal_point_sees_every_department_of_his_country_and_no_other(app, browser, world):
    with committed(app):
        other = factories.department("RS", "Reception Centre Krnjača").id
    signed_in(browser, "dragan@mup.rs.example")
    assert browser.client.get(f"/departments/{other}").status_code == 200
    assert browser.client.get(f"/departments/{world['belgrade']}").status_code == 200
    assert browser.client.get(f"/departments/{world['tirana']}").status_code == 404


def test_an_interpreter_sees_only_her_own_profile(app, browser, world):
    signed_in(browser, "mariam@pool.example")
    assert browser.client.get(f"/interpreters/{world['mariam']}").status_code == 200
    assert browser.client.get(f"/interpreters/{world['omid']}").status_code == 404
    assert browser.client.get(f"/api/v1/interpreters/{world['omid']}").status_code == 404
    mine = browser.client.get("/api/v1/interpreters").get_json()["items"]
    assert [item["id"] for item in mine] == [world["mariam"]]
    assert browser.client.get("/interpreters").status_code == 403
    assert browser.client.get(f"/departments/{world['belgrade']}").status_code == 403


def test_caseworkers_cannot_browse_the_pool(app, browser, world):
    signed_in(browser, "jelena@mup.rs.example")
    assert browser.client.get("/interpreters").status_code == 403
    assert browser.client.get(f"/interpreters/{world['mariam']}").status_code == 404


def test_a_coordinator_sees_every_country_and_the_whole_pool(app, browser, world):
    signed_in(browser, "elena@marri.example")
    for department in ("belgrade", "tirana", "kosovo"):
        assert browser.client.get(f"/departments/{world[department]}").status_code == 200
    page = browser.client.get("/interpreters").get_data(as_text=True)
    assert "mariam" in page.lower() or str(world["mariam"]) in page
    assert len(browser.client.get("/api/v1/interpreters").get_json()["items"]) == 2


def test_kosovo_is_always_shown_with_its_footnote(app, browser, world):
    signed_in(browser, "elena@marri.example")
    page = browser.client.get("/departments").get_data(as_text=True)
    assert "Kosovo*" in page
    assert "in line with UNSCR 1244/1999 and the ICJ Opinion on the Kosovo declaration of independence" in page
    api = browser.client.get(f"/api/v1/departments/{world['kosovo']}").get_json()
    assert api["country"]["name"] == "Kosovo*"
    assert "1244" in api["country"]["footnote"]
