"""Pure rules of on-demand calls."""
