"""The throwaway PostgreSQL cluster of the test run (it lives in deploy.local, which `make cluster` shares)."""

from deploy.local.postgres import PostgresUnavailable, ThrowawayPostgres, find_bindir

__all__ = ["PostgresUnavailable", "ThrowawayPostgres", "find_bindir"]
