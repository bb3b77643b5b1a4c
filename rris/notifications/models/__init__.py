"""Notifications: tables."""
