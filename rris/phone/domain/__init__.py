"""Phone: pure rules (no Flask, SQL, network or files)."""
