"""Desk: use cases, each a transaction."""
