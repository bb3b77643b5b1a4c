"""The reports capability's tables."""
