"""The pool CSV format: parsing, and each reason a row is rejected, named by row and column."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal

import pytest

from rris.enums import Gender, Proficiency, Specialisation
from rris.pool.domain.pool_csv import COLUMNS, AccreditationRow, Catalogue, PairRow, parse_pool_csv, write_pool_csv
from tests.support.spreadsheets import HOSTILE, csv_rows, unsafe_csv_cells

CATALOGUE = Catalogue(
    languages=frozenset({"pus", "prs", "srp", "eng"}),
    countries=frozenset({"RS", "AL", "MK"}),
    dialects=frozenset({("pus", "Southern (Kandahari)"), ("prs", "Kabuli")}),
    currencies=frozenset({"EUR", "USD", "GBP"}),
)
GOOD = {
    "email": "Mariam@Pool.example",
    "name": "Mariam Ahmadzai",
    "gender": "female",
    "timezone": "Asia/Kabul",
    "employment": "freelance",
    "language_pairs": "pus>srp:C2; prs-srp:c1",
    "dialects": "pus:Southern (Kandahari)",
    "accreditations": "RS:2025-01-01/2026-12-31;AL:2027-03-01",
    "specialisations": "trauma:2024-05-01;children",
    "daily_cap_minutes": "360",
    "rest_gap_minutes": "15",
    "hourly_rate": "22.5",
    "currency": "usd",
    "active": "yes",
}


def csv_of(*rows: dict[str, str]) -> str:
    lines = [",".join(COLUMNS)]
    for row in rows:
        lines.append(",".join(f'"{row.get(column, "")}"' for column in COLUMNS))
    return "\n".join(lines) + "\n"


def test_a_good_row_becomes_a_plain_value_with_lists_in_order():
    parsed = parse_pool_csv(csv_of(GOOD), CATALOGUE)
    assert parsed.ok
    row = parsed.rows[0].value
    assert row.email == "mariam@pool.example"
    assert row.gender is Gender.FEMALE
    assert row.language_pairs == (PairRow("prs", "srp", Proficiency.C1), PairRow("pus", "srp", Proficiency.C2))
    assert row.accreditations == (
        AccreditationRow("AL", date(2027, 3, 1), None),
        AccreditationRow("RS", date(2026, 12, 31), date(2025, 1, 1)),
    )
    assert [s.specialisation for s in row.specialisations] == [Specialisation.CHILDREN, Specialisation.TRAUMA]
    assert row.hourly_rate == Decimal("22.50") and row.currency == "USD" and row.active


def test_written_rows_read_back_the_same():
    row = parse_pool_csv(csv_of(GOOD), CATALOGUE).rows[0].value
    again = parse_pool_csv(write_pool_csv([row]), CATALOGUE)
    assert again.rows[0].value == row


@pytest.mark.parametrize("name", [*HOSTILE, "'=1+1", "'Ali"])
def test_a_name_that_looks_like_a_formula_is_written_as_text_and_reads_back(name):
    row = replace(parse_pool_csv(csv_of(GOOD), CATALOGUE).rows[0].value, name=name, email="+ali@pool.example")
    text = write_pool_csv([row])
    assert unsafe_csv_cells(text) == []
    written = dict(zip(COLUMNS, csv_rows(text)[1], strict=True))
    assert written["name"] == "'" + name and written["email"] == "'+ali@pool.example"
    assert parse_pool_csv(text, CATALOGUE).rows[0].value == row


@pytest.mark.parametrize(
    ("column", "value", "words"),
    [
        ("email", "", "e-mail address"),
        ("email", "not-an-address", "not an e-mail address"),
        ("name", "", "name"),
        ("gender", "other", "not one of"),
        ("timezone", "Mars/Olympus", "Unknown time zone"),
        ("employment", "volunteer", "not one of"),
        ("language_pairs", "", "at least one working pair"),
        ("language_pairs", "pus-xxx:c1", "Unknown language code 'xxx'"),
        ("language_pairs", "pus-pus:c1", "with itself"),
        ("language_pairs", "pus-srp:a1", "Unknown proficiency"),
        ("language_pairs", "pus srp", "not a pair"),
        ("language_pairs", "pus-srp:c1;srp-pus:c2", "listed twice"),
        ("dialects", "pus:Martian", "Unknown dialect"),
        ("accreditations", "ZZ:2026-12-31", "Unknown country 'ZZ'"),
        ("accreditations", "RS:2026-13-01", "Bad date"),
        ("accreditations", "RS:31.12.2026", "Bad date"),
        ("accreditations", "RS:2027-01-01/2026-01-01", "ends before it begins"),
        ("accreditations", "RS:2026-01-01;RS:2027-01-01", "same day as another"),
        ("specialisations", "juggling", "Unknown specialisation"),
        ("specialisations", "trauma:yesterday", "Bad date"),
        ("specialisations", "trauma;trauma", "listed twice"),
        ("daily_cap_minutes", "-60", "outside 30 to 720"),
        ("daily_cap_minutes", "six hours", "not a whole number"),
        ("rest_gap_minutes", "300", "outside 0 to 240"),
        ("hourly_rate", "-1", "cannot be negative"),
        ("hourly_rate", "cheap", "not an amount"),
        ("hourly_rate", "10.005", "more than two decimals"),
        ("currency", "XYZ", "Unknown currency"),
        ("active", "maybe", "neither yes nor no"),
    ],
)
def test_each_bad_cell_is_rejected_with_its_row_column_and_reason(column, value, words):
    parsed = parse_pool_csv(csv_of(GOOD, {**GOOD, "email": "other@pool.example", column: value}), CATALOGUE)
    assert not parsed.ok
    assert parsed.rows[0].problems == [] and parsed.rows[0].value is not None
    bad = parsed.rows[1]
    assert bad.value is None
    assert [(p.row, p.column) for p in bad.problems] == [(3, column)]
    assert words in bad.problems[0].message


def test_an_address_twice_in_the_file_rejects_the_second_row_and_names_the_first():
    parsed = parse_pool_csv(csv_of(GOOD, {**GOOD, "email": "MARIAM@pool.example"}), CATALOGUE)
    assert parsed.rows[0].problems == []
    assert parsed.rows[1].problems[0].column == "email"
    assert "also on row 2" in parsed.rows[1].problems[0].message


def test_a_header_with_missing_or_unknown_columns_is_a_file_problem():
    parsed = parse_pool_csv("email,name,colour\nx@y.example,X,red\n", CATALOGUE)
    assert not parsed.ok and parsed.rows == []
    messages = " ".join(p.message for p in parsed.file_problems)
    assert "Columns missing from the header: gender" in messages
    assert "Unknown columns in the header: colour" in messages


def test_an_empty_file_and_a_row_with_too_many_cells_are_reported():
    assert "empty" in parse_pool_csv("", CATALOGUE).file_problems[0].message
    parsed = parse_pool_csv(csv_of(GOOD).rstrip("\n") + ',"extra"\n', CATALOGUE)
    assert "cells" in parsed.rows[0].problems[0].message


def test_blank_lines_and_a_byte_order_mark_are_ignored():
    parsed = parse_pool_csv("\ufeff" + csv_of(GOOD) + "\n,,,\n", CATALOGUE)
    assert parsed.ok and len(parsed.rows) == 1
