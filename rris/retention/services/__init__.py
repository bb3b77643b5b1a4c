"""Retention: use cases, each a transaction."""
