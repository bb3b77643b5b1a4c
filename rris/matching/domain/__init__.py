"""The matching engine: pure and deterministic. Snapshots in, ranked matches and a named
rejection for every interpreter left out. `now` is always a parameter."""
