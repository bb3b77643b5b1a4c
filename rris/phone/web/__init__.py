"""Phone: pages and forms."""
