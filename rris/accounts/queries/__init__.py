"""Reads of accounts for the pages that administer them."""
