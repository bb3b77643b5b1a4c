"""Pool: read-side questions in SQL."""
