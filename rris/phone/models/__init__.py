"""Phone: tables."""
