"""Reports: read-side questions in SQL."""
