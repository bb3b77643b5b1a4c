"""The portal as gunicorn serves it in the cluster benchmark: `gunicorn ... benchmarks.cluster_wsgi:app`.

The production portal (`wsgi:app`), settings from the environment, on the benchmarks' frozen
clock: the clients book sessions of January 2026 and their tokens were made then.
"""

from benchmarks.catalogue import BENCH_NOW
from rris.portal import create_portal
from rris.timeutil import FrozenClock

app = create_portal(clock=FrozenClock(BENCH_NOW))
