"""Tables of on-demand calls."""
