"""Offers: read-side questions in SQL."""
