"""The demo pool and its past, for `make run`, the story tests and the benchmarks. Not production code."""
