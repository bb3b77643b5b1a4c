"""Calls: pages and forms."""
