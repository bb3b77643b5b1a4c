"""Matching: use cases, each a transaction."""
