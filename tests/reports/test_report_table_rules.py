"""The small-count rule for tables that leave the pool for more than one country."""

from __future__ import annotations

from decimal import Decimal

from rris.reports.domain.report_tables import SUPPRESSED, Column, Kind, Table

COLUMNS = (
    Column("Country"),
    Column("Sessions", Kind.COUNT),
    Column("Minutes", Kind.MINUTES, rests_on=1),
    Column("Amount", Kind.MONEY, rests_on=1),
    Column("No-shows", Kind.COUNT),
    Column("No-show share", Kind.RATIO, rests_on=4),
)


def test_counts_from_one_to_four_are_hidden_with_what_rests_on_them():
    table = Table(
        "cost",
        "Cost",
        COLUMNS,
        (
            ("Serbia", 12, 600, Decimal("350.00"), 3, 0.25),
            ("Kosovo*", 4, 200, Decimal("116.67"), 0, 0.0),
            ("Albania", 0, 0, Decimal("0.00"), 5, None),
        ),
    )
    rows = table.suppressed().rows
    assert rows[0] == ("Serbia", 12, 600, Decimal("350.00"), SUPPRESSED, None)
    assert rows[1] == ("Kosovo*", SUPPRESSED, None, None, 0, 0.0)
    assert rows[2] == ("Albania", 0, 0, Decimal("0.00"), 5, None)  # zero is not a small count


def test_the_original_table_is_left_as_it_was():
    table = Table("t", "T", COLUMNS, (("Serbia", 2, 100, Decimal("1.00"), 0, 0.0),))
    table.suppressed()
    assert table.rows[0][1] == 2
