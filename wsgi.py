"""WSGI entry point of the portal: `flask --app wsgi ...`, gunicorn `wsgi:app`."""

import gc

from rris.portal import create_portal

app = create_portal()
# What start-up built (modules, catalogues, the app) lives as long as the worker: kept out of the
# collector's sight, so a full collection walks the requests' objects only, not some 360,000 more
# while every thread of the worker waits (`benchmarks/throughput.py` serves the app the same way).
gc.collect()
gc.freeze()
