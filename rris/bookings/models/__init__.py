"""Bookings: tables."""
