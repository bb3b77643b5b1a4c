"""Pool: pages and forms."""
