"""Benchmarks of RRIS (`make bench`, or `python -m benchmarks [--quick]`).

Each benchmark prints one JSON object per line on stdout:
``{"bench": ..., "metric": ..., "value": ..., "unit": ..., "backend": ..., "data": {...}}``
where ``data`` states the size of the generated pool the number was measured on. Everything
runs against 127.0.0.1 only, and every loop is bounded by a count or a duration.
"""
