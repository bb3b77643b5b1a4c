"""Access: read-side questions in SQL."""
