"""Read-side selects of on-demand calls."""
