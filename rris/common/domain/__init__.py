"""Common: pure rules (no Flask, SQL, network or files)."""
