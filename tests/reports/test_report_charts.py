"""The report's charts are drawn once for what they show and kept: a second reader of the same
month gets the same pictures without matplotlib drawing them again, a changed figure or another
reader's language gets pictures drawn anew, never a kept one that no longer fits."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest

from rris.enums import Role
from rris.reports.integrations import charts
from tests import factories
from tests.conftest import committed
from tests.reports.test_report_pages import MARCH, _delivered, page_of, scene  # noqa: F401  (the fixture)

DRAWINGS = (charts.trend_chart, charts.heat_map, charts.distribution_chart)


def drawn() -> int:
    """How many pictures matplotlib has drawn in this process so far."""
    return sum(draw.cache_info().misses for draw in DRAWINGS)


def pictures(page: str) -> list[str]:
    return re.findall(r'<img src="(data:image/svg\+xml;base64,[^"]+)"', page)


@pytest.fixture
def april(clock):
    """March 2026 is a closed month: its figures no longer change by themselves. No picture is
    kept from an earlier test (the same scene on the other database draws the same ones)."""
    clock.set(datetime(2026, 4, 15, 9, tzinfo=UTC))
    charts.forget_drawn()


def test_a_closed_months_charts_are_drawn_once_and_drawn_again_when_a_figure_changes(
    scene,  # noqa: F811
    april,
    app,
    browser,
):
    first = page_of(browser, "hub@pool.example", f"/reports?{MARCH}").get_data(as_text=True)
    before = drawn()
    assert before == 3
    again = browser.get(f"/reports?{MARCH}").get_data(as_text=True)
    assert drawn() == before  # nothing drawn for the second reading
    assert pictures(again) == pictures(first) and len(pictures(first)) == 3

    with committed(app):  # a late call summary: Serbia's Dari minutes of March change
        belgrade = factories.department("RS")
        mariam = factories.interpreter(name="Zarghuna Noori", pairs=(("prs", "eng"),))
        _delivered(belgrade, mariam, datetime(2026, 3, 12, 8, tzinfo=UTC), "prs", 45 * 60)
    changed = browser.get(f"/reports?{MARCH}").get_data(as_text=True)
    assert "445 minutes" in changed
    trend, heat, utilisation = pictures(changed)
    old_trend, old_heat, old_utilisation = pictures(first)
    assert trend != old_trend and heat != old_heat and utilisation != old_utilisation
    assert drawn() == before + 3


def test_a_reader_in_another_language_gets_charts_drawn_in_it(
    scene,  # noqa: F811
    april,
    app,
    browser,
    another_browser,
):
    with committed(app):
        factories.user(Role.COORDINATOR, email="hub.ps@pool.example", locale="ps", timezone="Europe/Belgrade")
    english = pictures(page_of(browser, "hub@pool.example", f"/reports?{MARCH}").get_data(as_text=True))
    pashto = pictures(page_of(another_browser, "hub.ps@pool.example", f"/reports?{MARCH}").get_data(as_text=True))
    assert len(pashto) == 3
    assert all(theirs != ours for theirs, ours in zip(pashto, english, strict=True))
