"""Pages of on-demand calls: the interpreter's "available now" page and the officer's "interpreter now"."""
