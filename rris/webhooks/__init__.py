"""Signed webhooks: a department's case system is told of its bookings' state changes."""
