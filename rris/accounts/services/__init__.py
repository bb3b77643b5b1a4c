"""Accounts: use cases, each a transaction."""
