"""Bookings: use cases, each a transaction."""
