"""Calls: tables."""
