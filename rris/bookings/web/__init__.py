"""Bookings: pages and forms."""
