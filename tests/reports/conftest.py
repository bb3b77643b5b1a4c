"""Fixtures the report tests share."""

from __future__ import annotations

import pytest

from tests.reports.rollup_months import AFTER_JANUARY, generated_months


@pytest.fixture
def months(ctx, clock):
    """December 2025 and January 2026 generated (`tests.reports.rollup_months`), the clock after both."""
    generated = generated_months()
    clock.set(AFTER_JANUARY)
    return generated
