"""Accounts: tables."""
