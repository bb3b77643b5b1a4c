"""Common: pages and forms."""
