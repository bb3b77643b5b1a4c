"""Pool: tables."""
