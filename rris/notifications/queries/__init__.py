"""Notifications: read-side questions in SQL."""
