"""Cells RRIS writes are shown as text by a spreadsheet, and read back to what was written."""

from __future__ import annotations

import pytest

from rris.common.domain.spreadsheet_cells import cell_text, spreadsheet_cell, spreadsheet_text
from tests.support.spreadsheets import HOSTILE


@pytest.mark.parametrize("value", [*HOSTILE, "=1+1", "+93 70 123 4567", "-", "@", "\n=1+1"])
def test_a_cell_a_spreadsheet_would_run_gets_a_quote_in_front(value):
    assert spreadsheet_text(value) == "'" + value


@pytest.mark.parametrize("value", ["Mariam Ahmadzai", "", "mariam@pool.example", "pus-srp:c1", "22.50", "<5", "a=b"])
def test_ordinary_text_is_written_as_it_is(value):
    assert spreadsheet_text(value) == value


@pytest.mark.parametrize("value", [*HOSTILE, "'", "'=1+1", "''", "' Ali", "Mariam", "+93 70 123 4567"])
def test_a_written_cell_reads_back_to_the_value(value):
    assert cell_text(spreadsheet_text(value)) == value


def test_a_text_that_begins_with_the_mark_keeps_it():
    # Otherwise "'=1+1" typed on purpose would come back as a formula after a round trip.
    assert spreadsheet_text("'=1+1") == "''=1+1"


def test_reading_drops_blanks_and_one_mark_only():
    assert cell_text("  '+SUM(1,2) ") == "+SUM(1,2)"
    assert cell_text("''x") == "'x"
    assert cell_text(" Ali\t") == "Ali"


def test_numbers_and_empty_cells_stay_numbers_and_empty():
    assert spreadsheet_cell(-12) == -12
    assert spreadsheet_cell(None) is None
    assert spreadsheet_cell("-12") == "'-12"
