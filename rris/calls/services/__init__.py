"""Calls: use cases, each a transaction."""
