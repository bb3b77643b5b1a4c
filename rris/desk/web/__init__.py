"""Desk: pages and forms."""
