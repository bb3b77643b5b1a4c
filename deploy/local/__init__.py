"""Servers started as plain processes on 127.0.0.1 for `make cluster` and the tests: PostgreSQL,
Redis, coturn, nginx, and the certificate nginx serves. Never for a real deployment (see deploy/systemd)."""
