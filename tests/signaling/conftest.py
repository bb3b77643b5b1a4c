from __future__ import annotations

import pytest

from tests.support.call_bookings import open_call
from tests.support.task_stacks import pytest_timeout_set_timer  # noqa: F401  (a timeout prints every asyncio task)


@pytest.fixture
def call(ctx, clock):
    """A confirmed booking whose call is open: (booking, caseworker, interpreter user)."""
    return open_call(clock)
