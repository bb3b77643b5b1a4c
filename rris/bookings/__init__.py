"""Bookings: requesting, changing and cancelling sessions, their states, history and applicant keys."""
