"""Fixtures the report tests share."""

from tests.reports.rollup_months import months  # noqa: F401 (a fixture)
