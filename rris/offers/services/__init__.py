"""Offers: use cases, each a transaction."""
