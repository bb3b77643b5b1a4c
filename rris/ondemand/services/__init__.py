"""Use cases of on-demand calls: the only code here that commits."""
