"""The on-demand section on the report page, in the CSV and XLSX exports and the printable view,
for coordinators and focal points, over calls made through the on-demand services."""

from __future__ import annotations

import csv
import io
import re

import openpyxl
import pytest

from rris.enums import Role
from rris.extensions import db
from tests import factories
from tests.conftest import committed
from tests.factories import PASSWORD
from tests.reports.on_demand_month import on_demand_january

JANUARY = "month=2026-01"


@pytest.fixture
def calls(app, clock):
    """The on-demand January (Serbia), a coordinator in Belgrade and a focal point of each country."""
    with committed(app):
        on_demand_january()
        factories.user(Role.COORDINATOR, email="hub@pool.example", timezone="Europe/Belgrade")
        factories.user(Role.FOCAL_POINT, email="focal@rs.example", country=factories.country("RS"))
        factories.user(Role.FOCAL_POINT, email="focal@mk.example", country=factories.country("MK"))
        db.session.commit()


def page(browser, email: str, url: str) -> str:
    browser.sign_in(email, PASSWORD)
    response = browser.get(url)
    assert response.status_code == 200
    return response.get_data(as_text=True)


def section(html: str) -> str:
    return html[html.index('id="on-demand"') : html.index('id="utilisation"')]


def cells(html: str, table: str) -> list[str]:
    body = html[html.index(f'id="table-{table}"') :]
    body = body[: body.index("</table>")]
    return [re.sub(r"<[^>]+>", "", cell).strip() for cell in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", body, re.S)]


def read_csv(response) -> list[list[str]]:
    assert response.status_code == 200 and response.mimetype == "text/csv"
    return list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))


def test_a_coordinator_sees_the_on_demand_calls_and_that_their_minutes_are_billed(calls, browser):
    html = page(browser, "hub@pool.example", f"/reports?{JANUARY}")
    figures = cells(html, "on_demand")
    assert figures[9:] == ["January 2026", "4", "3", "1", "25.0%", "12.0", "26.4", "2", "30"]
    assert cells(html, "on_demand_languages")[4:] == ["Serbia", "Pashto", "2", "30"]
    assert "included in what each country owes the pool" in section(html)
    assert "On-demand sessions are included, billed like every other session." in html
    # The booking figures leave the calls out; what Serbia owes takes them in (11.67 + 5.83).
    assert cells(html, "summary")[16:18] == ["January 2026", "0"]
    assert cells(html, "cost")[5:] == ["Serbia", "EUR", "2", "30", "17.50\xa0€"]


def test_a_focal_point_sees_their_own_country_s_calls_only(calls, browser):
    serbian = page(browser, "focal@rs.example", f"/reports?{JANUARY}")
    assert cells(serbian, "on_demand")[10] == "4"
    macedonian = page(browser, "focal@mk.example", f"/reports?{JANUARY}")
    assert cells(macedonian, "on_demand")[10:12] == ["0", "0"]
    assert "Nothing in this period." in macedonian[macedonian.index('id="table-on_demand_languages"') :]


def test_one_country_s_csv_carries_the_figures_for_programs(calls, browser):
    browser.sign_in("hub@pool.example", PASSWORD)
    rows = read_csv(browser.get(f"/reports/on_demand.csv?{JANUARY}&country=RS"))
    assert rows[0][:5] == ["Period", "Requests", "Answered", "Abandoned", "Abandonment rate"]
    assert rows[1] == ["2026-01", "4", "3", "1", "0.25", "12.0", "26.4", "2", "30"]
    languages = read_csv(browser.get(f"/reports/on_demand_languages.csv?{JANUARY}&country=RS"))
    assert languages[1] == ["Serbia", "Pashto", "2", "30"]
    assert any("owes the pool" in row[0] for row in languages if len(row) == 1)


def test_a_cross_country_csv_hides_the_small_counts_and_the_figures_resting_on_them(calls, browser):
    browser.sign_in("hub@pool.example", PASSWORD)
    rows = read_csv(browser.get(f"/reports/on_demand.csv?{JANUARY}"))
    assert rows[1] == ["2026-01", "<5", "<5", "<5", "", "", "", "<5", ""]


def test_the_xlsx_and_the_printable_view_carry_the_on_demand_section(calls, browser):
    browser.sign_in("hub@pool.example", PASSWORD)
    response = browser.client.get(f"/reports/report.xlsx?{JANUARY}&country=RS")
    book = openpyxl.load_workbook(io.BytesIO(response.data))
    sheet = book["On-demand calls"]
    assert [cell.value for cell in sheet[2]][1:] == [4, 3, 1, 0.25, 12.0, 26.4, 2, 30]
    minutes = book["On-demand minutes by language a"]  # Excel's 31 characters
    assert [cell.value for cell in minutes[2]] == ["Serbia", "Pashto", 2, 30]
    printed = browser.get(f"/reports/print?{JANUARY}&country=RS").get_data(as_text=True)
    assert "On-demand calls" in printed and "26.4" in printed
