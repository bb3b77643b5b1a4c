"""Access: use cases, each a transaction."""
