"""The people account administration is tried with."""

from tests.accounts.account_world import world  # noqa: F401 (a fixture for every test here)
