"""Offers: pages and forms."""
