"""Matching: which interpreter can take a session and why not, and the conflicts found later."""
