"""Desk: read-side questions in SQL."""
