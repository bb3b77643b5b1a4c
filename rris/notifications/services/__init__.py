"""Notifications: use cases, each a transaction."""
