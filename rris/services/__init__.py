"""Use cases: load, decide with the domain rules, write, notify. The only code that commits."""
