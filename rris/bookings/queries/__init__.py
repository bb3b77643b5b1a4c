"""Bookings: read-side questions in SQL."""
