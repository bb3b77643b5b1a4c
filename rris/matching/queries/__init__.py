"""Matching: read-side questions in SQL."""
