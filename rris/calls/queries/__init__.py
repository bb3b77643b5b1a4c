"""Calls: read-side questions in SQL."""
