"""gunicorn's configuration for the portal: `gunicorn -c deploy/gunicorn.conf.py wsgi:app`.

Reads the same variables as the portal itself: it listens on RRIS_HOST:RRIS_PORT. The number of
worker processes is gunicorn's own WEB_CONCURRENCY (default: two per core, at least two).
`kill -HUP <master>` is a rolling restart: new workers start with the current code and
settings, the old ones finish the requests they hold and leave; the listening socket never
closes, so nginx loses no request. The app is loaded in each worker (no preload) for that reason.
"""

from __future__ import annotations

import multiprocessing
import os

_host = os.environ.get("RRIS_HOST", "127.0.0.1")
_port = os.environ.get("RRIS_PORT", "5000")
bind = [f"[{_host}]:{_port}" if ":" in _host else f"{_host}:{_port}"]
workers = int(os.environ.get("WEB_CONCURRENCY", str(max(2, 2 * multiprocessing.cpu_count()))))
# Synchronous workers with a few threads each: pages wait on the database, not on the CPU.
worker_class = "gthread"
threads = 4
# A request the portal has not answered in this long is a bug (an export is the slowest): the
# worker is replaced. A HUP or TERM lets running requests finish for up to graceful_timeout.
timeout = 60
graceful_timeout = 30
keepalive = 5
# Only nginx on this host talks to the workers; it sets X-Forwarded-* (RRIS_TRUSTED_PROXIES=1).
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1,::1")
preload_app = False
# Replace a worker now and then so a slow leak never grows for weeks (jitter: not all at once).
max_requests = 5000
max_requests_jitter = 500
accesslog = "-"
errorlog = "-"
loglevel = os.environ.get("RRIS_LOG_LEVEL", "INFO").lower()
proc_name = "rris-portal"
