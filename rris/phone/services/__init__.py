"""Phone: use cases, each a transaction."""
