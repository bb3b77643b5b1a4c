"""Common: tables."""
