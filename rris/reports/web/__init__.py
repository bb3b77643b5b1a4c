"""Reports: pages and forms."""
