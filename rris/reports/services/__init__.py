"""Reports: use cases, each a transaction."""
