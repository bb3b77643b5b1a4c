"""Common: use cases, each a transaction."""
