"""Matching: tables."""
