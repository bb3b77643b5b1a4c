"""Retention: pure rules (no Flask, SQL, network or files)."""
