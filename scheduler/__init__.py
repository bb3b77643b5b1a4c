"""The scheduler process: the only place timed work runs (APScheduler 3, one leader)."""
