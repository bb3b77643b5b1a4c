from __future__ import annotations

import pytest

from tests.support.call_bookings import open_call


@pytest.fixture
def call(ctx, clock):
    """A confirmed booking whose call is open: (booking, caseworker, interpreter user)."""
    return open_call(clock)
