"""The report pages as coordinators and focal points use them: figures for a month in their zone,
charts, the tables, CSV and XLSX exports that hide small counts across countries, the
printable view, who sees which country, and clear errors for a bad filter."""

from __future__ import annotations

import csv
import io
import re
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import openpyxl
import pytest
from flask import render_template_string
from flask_babel import force_locale

from rris.bookings.models.bookings import Booking
from rris.calls.models.calls import CallSummary
from rris.enums import BookingState, Role
from rris.extensions import db
from rris.reports.domain.report_tables import Kind, Period
from rris.reports.services.reporting import EXPORTED_TABLES
from tests import factories
from tests.conftest import committed
from tests.factories import PASSWORD
from tests.support.spreadsheets import unsafe_csv_cells, unsafe_xlsx_cells

MARCH = "month=2026-03"


def utc(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=UTC)


def _delivered(department, interpreter, starts_at: datetime, language: str, seconds: int) -> Booking:
    booking = factories.booking(
        department,
        starts_at=starts_at,
        applicant_language=language,
        state=BookingState.COMPLETED,
        confirmed_at=starts_at - timedelta(days=1),
    )
    factories.held(booking, interpreter)
    db.session.add(
        CallSummary(
            booking_id=booking.id,
            delivered_seconds=seconds,
            first_joined_at=booking.starts_at,
            last_left_at=booking.ends_at,
            updated_at=booking.ends_at,
        )
    )
    return booking


@pytest.fixture
def scene(app, clock):
    """March 2026: Serbia 6 Pashto sessions of 50 min and 2 Dari of 30 min; North Macedonia one
    Pashto session of 40 min. Everyone bills 35.00 EUR an hour."""
    with committed(app):
        belgrade = factories.department("RS")
        skopje = factories.department("MK")
        mariam = factories.interpreter(name="Mariam Ahmadzai", pairs=(("pus", "eng"), ("prs", "eng")))
        for day in range(2, 8):
            _delivered(belgrade, mariam, utc(2026, 3, day, 8), "pus", 50 * 60)
        for day in (9, 10):
            _delivered(belgrade, mariam, utc(2026, 3, day, 8), "prs", 30 * 60)
        _delivered(skopje, mariam, utc(2026, 3, 11, 8), "pus", 40 * 60)
        factories.user(Role.COORDINATOR, email="hub@pool.example", timezone="Europe/Belgrade")
        factories.user(Role.FOCAL_POINT, email="focal@mk.example", country=factories.country("MK"))
        factories.caseworker(email="jelena@mup.rs.example")


def page_of(browser, email: str, url: str):
    browser.sign_in(email, PASSWORD)
    return browser.get(url)


def test_a_coordinator_sees_the_months_figures_charts_and_what_each_country_owes(scene, browser):
    response = page_of(browser, "hub@pool.example", f"/reports?{MARCH}")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "2026-03" in page
    assert "400 minutes" in page  # 6 × 50 + 2 × 30 + 40 delivered
    # Three pictures drawn by the charting library, inline so the page's CSP needs no change.
    assert page.count('<img src="data:image/svg+xml;base64,') == 3
    assert "img-src 'self' data:" in response.headers["Content-Security-Policy"]
    cost = page[page.index('id="table-cost"') :]
    cost = cost[: cost.index("</table>")]
    # Serbia: 300 min + 60 min at 35.00 = 6 × 29.17 + 2 × 17.50 = 210.02; North Macedonia 40 min = 23.33.
    assert "210.02" in cost and "23.33" in cost
    assert "Mariam Ahmadzai" in page  # the pool's managers see each interpreter's hours on the page


def test_a_focal_point_sees_only_their_own_country(scene, browser):
    refused = page_of(browser, "focal@mk.example", f"/reports?{MARCH}&country=RS")
    assert refused.status_code == 400 and 'href="#country"' in refused.get_data(as_text=True)
    page = browser.get(f"/reports?{MARCH}").get_data(as_text=True)
    assert "40 minutes" in page and "400 minutes" not in page
    assert "Serbia" not in page.split('id="table-cost"')[1].split("</table>")[0]
    assert 'id="table-interpreters"' not in page and "Mariam Ahmadzai" not in page


def test_caseworkers_have_no_reports(scene, browser):
    assert page_of(browser, "jelena@mup.rs.example", f"/reports?{MARCH}").status_code == 403


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("month=2026-13", "month"),
        ("month=March", "month"),
        ("first_day=2026-03-10", "last_day"),
        ("first_day=2026-03-10&last_day=2026-03-01", "last_day"),
        ("country=XX", "country"),
        ("kind=party", "kind"),
        ("first_day=0001-01-01&last_day=0001-01-02", "first_day"),  # the zones' arithmetic overflowed: a 500
        ("first_day=9999-12-30&last_day=9999-12-31", "last_day"),
        ("month=9999-12", "month"),
        ("month=1999-12", "month"),  # the API's years, one rule
    ],
)
def test_a_bad_filter_names_the_field(scene, browser, query, field):
    response = page_of(browser, "hub@pool.example", f"/reports?{query}")
    assert response.status_code == 400
    assert f'href="#{field}"' in response.get_data(as_text=True)
    problem = browser.get(f"/reports/report.xlsx?{query}", headers={"Accept": "application/json"})
    assert problem.status_code == 400 and problem.mimetype == "application/problem+json"
    assert field in [param["name"] for param in problem.get_json()["invalid_params"]]


def test_a_day_outside_the_years_rris_takes_is_refused_in_the_api_s_words(scene, browser):
    response = page_of(browser, "hub@pool.example", "/reports?first_day=0001-01-01&last_day=2026-03-01")
    assert response.status_code == 400
    assert "Give a day from 2000 to 2099 as YYYY-MM-DD." in response.get_data(as_text=True)


def read_csv(response) -> list[list[str]]:
    assert response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    return list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))


def test_cross_country_exports_hide_small_counts_and_what_rests_on_them(scene, browser):
    rows = read_csv(page_of(browser, "hub@pool.example", f"/reports/languages.csv?{MARCH}"))
    assert rows[0] == ["Country", "Language", "Sessions delivered", "Minutes delivered"]
    by_language = {(row[0], row[1]): row[2:] for row in rows[1:] if len(row) == 4}
    assert by_language[("Serbia", "Pashto")] == ["6", "300"]
    assert by_language[("Serbia", "Dari")] == ["<5", ""]
    assert by_language[("North Macedonia", "Pashto")] == ["<5", ""]
    assert any("<5" in " ".join(row) for row in rows if len(row) == 1)  # the rule is stated


def test_one_countrys_export_keeps_its_small_counts(scene, browser):
    rows = read_csv(page_of(browser, "hub@pool.example", f"/reports/languages.csv?{MARCH}&country=RS"))
    by_language = {(row[0], row[1]): row[2:] for row in rows[1:] if len(row) == 4}
    assert by_language[("Serbia", "Dari")] == ["2", "60"]


def test_the_xlsx_export_has_a_sheet_per_table_numbers_as_numbers_and_no_names(scene, browser):
    browser.sign_in("hub@pool.example", PASSWORD)
    response = browser.client.get(f"/reports/report.xlsx?{MARCH}&country=RS")
    assert response.mimetype == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    book = openpyxl.load_workbook(io.BytesIO(response.data))
    assert book.sheetnames[0] == "About"
    cost = book["What each country owes the pool"]
    header = [cell.value for cell in cost[1]]
    assert header == ["Country", "Currency", "Sessions billed", "Interpreter minutes billed", "Amount owed"]
    serbia = [cell.value for cell in cost[2]]
    assert serbia[:3] == ["Serbia", "EUR", 8] and serbia[4] == pytest.approx(float(Decimal("210.02")))
    every_cell = {str(cell.value) for sheet in book for row in sheet.iter_rows() for cell in row}
    assert not any("Mariam" in value for value in every_cell)


def test_the_printable_view_carries_the_suppressed_tables_and_the_rules(scene, browser):
    response = page_of(browser, "hub@pool.example", f"/reports/print?{MARCH}")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "RRIS report, March 2026" in page and "&lt;5" in page
    assert "Mariam Ahmadzai" not in page
    assert "rounded to the cent" in page


def test_no_export_carries_a_cell_a_spreadsheet_would_run(scene, browser):
    browser.sign_in("hub@pool.example", PASSWORD)
    for key in EXPORTED_TABLES:
        response = browser.get(f"/reports/{key}.csv?{MARCH}")
        assert response.status_code == 200 and unsafe_csv_cells(response.get_data(as_text=True)) == [], key
    response = browser.client.get(f"/reports/report.xlsx?{MARCH}")
    assert response.status_code == 200 and unsafe_xlsx_cells(response.data) == []


def test_the_report_names_its_month_and_writes_money_in_the_readers_locale(scene, browser):
    page = page_of(browser, "hub@pool.example", f"/reports?{MARCH}").get_data(as_text=True)
    assert '<span class="muted">March 2026</span>' in page
    cost = page[page.index('id="table-cost"') :]
    assert "210.02\u00a0€" in cost[: cost.index("</table>")]  # the row's currency, as English in Europe writes it
    trend = page[page.index('id="table-trend"') :]
    assert ">March 2026</th>" in trend and ">October 2025</th>" in trend


def test_the_trend_export_keeps_iso_months_for_programs(scene, browser):
    page_of(browser, "hub@pool.example", f"/reports?{MARCH}")
    body = browser.client.get(f"/reports/trend.csv?{MARCH}").get_data(as_text=True)
    months = [row[0] if row else "" for row in csv.reader(io.StringIO(body.lstrip("\ufeff")))][1:]
    months = months[: months.index("")] if "" in months else months
    assert months[-3:] == ["2026-01", "2026-02", "2026-03"]
    assert all(len(month) == 7 and month[4] == "-" for month in months)


def test_a_serbian_reader_sees_the_report_cells_in_serbian(app):
    template = (
        "{{ period|report_cell(Kind.PERIOD) }}|{{ amount|report_cell(Kind.MONEY, 'EUR') }}"
        "|{{ share|report_cell(Kind.RATIO) }}"
    )
    with app.test_request_context(), force_locale("sr_Latn"):
        text = render_template_string(
            template, period=Period.month_of(date(2026, 3, 1)), amount=Decimal("1210.02"), share=0.825, Kind=Kind
        )
    assert text == "mart 2026.|1.210,02\u00a0€|82,5%"


@pytest.mark.parametrize("path", ["/reports", "/reports/print"])
def test_every_report_table_scrolls_in_a_frame_keyboard_users_reach_and_no_link_hides_in_a_summary(
    scene, browser, path
):
    page = page_of(browser, "hub@pool.example", f"{path}?{MARCH}").get_data(as_text=True)
    frames = re.findall(r'<div class="table-wrap"([^>]*)>\s*<table[^>]* id="table-([a-z_]+)"', page)
    assert len(frames) == page.count('class="table compact report-table"') > 0
    for attributes, key in frames:
        assert 'tabindex="0"' in attributes and 'role="region"' in attributes, key
        assert re.search(r'aria-label="[^"]+"', attributes), key
    assert not [summary for summary in re.findall(r"<summary>(.*?)</summary>", page, re.S) if "<a " in summary]
    assert '<meta name="viewport" content="width=device-width, initial-scale=1">' in page  # a phone lays it out to fit
