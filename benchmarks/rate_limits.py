"""What the API's rate limits cost per request: `GET /api/v1/me` with one token, in process
(Flask's test client, no sockets), the limiter switched on and then off; the difference of the
medians is the two limits' counting in the database (`rate_limit_windows`) and their headers.

The benchmark app's limits are set far above what any run sends (`benchmarks.environment`), so
they are counted on every request but never refuse one.
"""

from __future__ import annotations

from time import perf_counter

from flask import Flask
from sqlalchemy import select

from benchmarks.catalogue import BENCH_NOW
from benchmarks.report import Reporter, percentile
from rris.accounts.models.accounts import User
from rris.accounts.services.api_tokens import create_api_token
from rris.enums import Role
from rris.extensions import db

REQUESTS = 100  # a median of a hundred is steady; the quick run must stay quick


def run_rate_limits(app: Flask, report: Reporter, requests: int = REQUESTS) -> None:
    """Emit the median latency with and without the limiter, and the overhead between them."""
    with app.test_request_context():
        caseworker = db.session.scalar(select(User).where(User.role == Role.CASEWORKER).limit(1))
        assert caseworker is not None, "the pool has no caseworker"
        token = create_api_token(caseworker, "rate-limit benchmark", BENCH_NOW)[1]
        db.session.remove()
    limiter = app.extensions["rris.limiter"]
    medians = {}
    for enabled in (True, False):
        limiter.enabled = enabled
        medians[enabled] = percentile(_timed(app, token, requests), 50)
    limiter.enabled = True
    report.emit("api_rate_limit", "p50_limited", medians[True], "ms")
    report.emit("api_rate_limit", "p50_unlimited", medians[False], "ms")
    report.emit("api_rate_limit", "overhead_p50", medians[True] - medians[False], "ms")


def _timed(app: Flask, token: str, requests: int) -> list[float]:
    client, headers, samples = app.test_client(), {"Authorization": f"Bearer {token}"}, []
    client.get("/api/v1/me", headers=headers)  # warm: the token's first use is recorded (a write)
    for _ in range(requests):
        started = perf_counter()
        status = client.get("/api/v1/me", headers=headers).status_code
        samples.append((perf_counter() - started) * 1000)
        assert status == 200, f"GET /api/v1/me answered {status}"
    return samples
