"""Offers: pure rules (no Flask, SQL, network or files)."""
