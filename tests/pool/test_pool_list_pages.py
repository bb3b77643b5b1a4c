"""The pool comes a page at a time; a page runs as many queries for many interpreters as for few."""

from __future__ import annotations

import re
from datetime import date

from rris.enums import Role
from rris.pool.queries import directory
from tests import factories
from tests.conftest import committed
from tests.factories import PASSWORD
from tests.offers.test_job_list_queries import MARIAM, jobs_for_mariam
from tests.pool.test_interpreter_admin import interpreter_id_of
from tests.support.sql_statements import counted_statements

COORDINATOR = "hub@marri.example"


def pool_of(app, names: list[str]) -> None:
    with committed(app):
        factories.country("RS")
        factories.user(Role.COORDINATOR, email=COORDINATOR, name="Elena Stojanovska")
        for number, name in enumerate(names):
            factories.interpreter(email=f"i{number}@pool.example", name=name, pairs=(("pus", "srp"), ("prs", "eng")))


def listed_names(page: str) -> list[str]:
    return re.findall(r'<a href="/interpreters/\d+">([^<]+)</a>', page)


def test_the_pool_is_listed_a_page_at_a_time_by_name_with_links_between_the_pages(app, browser, monkeypatch):
    monkeypatch.setattr(directory, "POOL_PAGE_ROWS", 2)
    pool_of(app, ["Esma", "Ahmad", "Dina", "Bashir", "Cemal"])
    browser.sign_in(COORDINATOR, PASSWORD)

    first = browser.get("/interpreters").get_data(as_text=True)
    assert listed_names(first) == ["Ahmad", "Bashir"]
    assert "5 interpreters." in first and "Page 1 of 3" in first
    assert 'href="/interpreters?page=2" rel="next"' in first and 'rel="prev"' not in first

    second = browser.get("/interpreters?page=2").get_data(as_text=True)
    assert listed_names(second) == ["Cemal", "Dina"]
    assert 'href="/interpreters?page=1" rel="prev"' in second and 'href="/interpreters?page=3" rel="next"' in second

    last = browser.get("/interpreters?page=3").get_data(as_text=True)
    assert listed_names(last) == ["Esma"] and 'rel="next"' not in last
    # A stale link past the end shows the last page; nonsense shows the first.
    assert listed_names(browser.get("/interpreters?page=40").get_data(as_text=True)) == ["Esma"]
    assert listed_names(browser.get("/interpreters?page=x").get_data(as_text=True)) == ["Ahmad", "Bashir"]


def test_one_page_holds_a_small_pool_without_page_links(app, browser):
    pool_of(app, ["Ahmad", "Bashir"])
    browser.sign_in(COORDINATOR, PASSWORD)
    page = browser.get("/interpreters").get_data(as_text=True)
    assert listed_names(page) == ["Ahmad", "Bashir"] and "Page 1 of" not in page


def test_the_pool_page_runs_as_many_queries_for_six_interpreters_as_for_two(app, browser):
    pool_of(app, ["Ahmad", "Bashir"])
    browser.sign_in(COORDINATOR, PASSWORD)
    with app.app_context(), counted_statements() as few:
        assert browser.get("/interpreters").status_code == 200
    with committed(app):
        for number in range(4):
            factories.interpreter(email=f"more{number}@pool.example", pairs=(("pus", "srp"),), accredited_for=("RS",))
    with app.app_context(), counted_statements() as more:
        assert len(listed_names(browser.get("/interpreters").get_data(as_text=True))) == 6
    assert len(more) == len(few), more


def test_an_active_interpreters_page_runs_as_many_queries_for_eight_jobs_as_for_two(app, browser, clock):
    pool_of(app, [])
    jobs_for_mariam(app, clock, range(1, 2))
    mariam = f"/interpreters/{interpreter_id_of(app, MARIAM)}"
    browser.sign_in(COORDINATOR, PASSWORD)
    browser.get(mariam)  # the language names are read once and kept
    with app.app_context(), counted_statements() as few:
        assert browser.get(mariam).status_code == 200
    jobs_for_mariam(app, clock, range(2, 5))
    with app.app_context(), counted_statements() as more:
        assert browser.get(mariam).status_code == 200
    assert len(more) == len(few), more


def test_the_home_page_runs_as_many_queries_for_six_ending_accreditations_as_for_two(app, browser):
    ends_in_two_weeks = date(2025, 5, 7)  # accredited for 365 days from 100 days before: until 27 January

    def ending(numbers: range) -> None:
        with committed(app):
            for number in numbers:
                factories.interpreter(email=f"end{number}@pool.example", on=ends_in_two_weeks, name=f"Ending {number}")

    pool_of(app, [])
    ending(range(2))
    browser.sign_in(COORDINATOR, PASSWORD)
    browser.get("/")  # the language names are read once and kept
    with app.app_context(), counted_statements() as few:
        assert browser.get("/").get_data(as_text=True).count(">Ending ") == 2
    ending(range(2, 6))
    with app.app_context(), counted_statements() as more:
        assert browser.get("/").get_data(as_text=True).count(">Ending ") == 6
    assert len(more) == len(few), more
