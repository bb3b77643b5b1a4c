"""Pool: use cases, each a transaction."""
