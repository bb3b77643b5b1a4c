"""Accounts: pages and forms."""
