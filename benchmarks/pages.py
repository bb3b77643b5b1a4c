"""Every page as every role, with one user, over real HTTP: p50/p95 per page and the slowest ten.

On the pool the other benchmarks leave behind, one person of each role signs in through the
login form (and the second step with the next code of a known app key, as the tests take it),
and one visitor stays signed out. The pages come from the portal's URL map: every rule that
answers GET, its path parameters filled with real ids of records that person may see (the
department, interpreter and booking with the most work, so the heaviest page of each kind).
A page is timed only when it answers 200 to that person: a refusal or a redirect means the page
is not theirs, and is counted, not timed. Each line states the SQL statements one request ran.

Left out, each with its reason (`SKIPPED`): static files, the JSON API (its own benchmarks time
it), Twilio's webhooks, the health probe, the signed tickets of the live sockets, and pages that
a one-time secret in a link opens rather than a signed-in role.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from time import perf_counter
from typing import Any

import requests
from flask import Flask
from sqlalchemy import event, func, select
from werkzeug.routing import Rule

from benchmarks.catalogue import BENCH_NOW
from benchmarks.report import Reporter, percentile
from benchmarks.throughput import serving
from rris.access.domain.permissions import Actor, second_factor_required
from rris.access.queries.actors import actor_of
from rris.access.queries.scoping import (
    booking_filter,
    managed_accounts,
    visible_bookings,
    visible_departments,
    visible_interpreters,
)
from rris.accounts.integrations.passwords import hash_password
from rris.accounts.models.accounts import User
from rris.accounts.models.second_factor import TotpSecret
from rris.bookings.models.bookings import Assignment, Booking
from rris.enums import BookingState, Role
from rris.extensions import db
from rris.ondemand.models.ondemand import OnDemandCall
from rris.pool.models.geography import Department
from rris.pool.models.interpreters import InterpreterProfile
from rris.webhooks.domain.events import WebhookEventType
from rris.webhooks.domain.signing_keys import new_secret
from rris.webhooks.models.webhooks import WebhookEndpoint
from rris.webhooks.queries.endpoints import visible_endpoints
from tests.factories import authenticator_app
from tests.support.second_factor import SECOND_STEP_PATH, next_totp_code

BUDGET_MS = 200.0
SLOWEST = 10
SIGNED_OUT = "signed_out"
PASSWORD = "bench-pages-walk-password"  # noqa: S105 (a throwaway account on 127.0.0.1)
HTTP_TIMEOUT_SECONDS = 120
CSRF = re.compile(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"')
REPORT_KEY = "summary"  # the report table the CSV download of /reports/<key>.csv is walked with

# Endpoints (or their blueprint, "name.") that are not pages, or not a signed-in role's: and why.
SKIPPED = {
    "static": "static files",
    "api.": "the JSON API (token clients; timed by the throughput and matching benchmarks)",
    "twilio.": "Twilio's webhooks",
    "health.healthz": "the health probe",
    "now.ticket": "a signed ticket for the status socket (JSON)",
    "now.available.ticket": "a signed ticket for the presence socket (JSON)",
    "auth.accept_invitation": "opened by a one-time invitation link",
    "auth.reset": "opened by a one-time password-reset link",
    "calls.guest": "opened by a guest's one-time link",
    "calls.phone_simulator": "the phone simulator of a live phone leg",
    "simulated_call.simulated_call": "the phone simulator of a live phone leg, by its one-time token",
}


@dataclass(frozen=True)
class PagesPlan:
    """How many timed requests each page gets."""

    repeats: int


FULL_PAGES = PagesPlan(repeats=5)
QUICK_PAGES = PagesPlan(repeats=1)


@dataclass(frozen=True)
class Walker:
    """One person who walks the pages, and the ids of the records they may see."""

    role: str
    email: str | None  # None: signed out
    ids: dict[str, int | str]


@dataclass
class PageTiming:
    """One page as one role saw it."""

    role: str
    endpoint: str
    path: str
    latencies_ms: list[float] = field(default_factory=list)
    statements: int = 0
    kind: str = "page"

    @property
    def p95(self) -> float:
        """The page's p95 in milliseconds."""
        return percentile(self.latencies_ms, 95)

    def line(self) -> dict[str, Any]:
        """The page's figures as a report line's extra fields."""
        return {
            "role": self.role,
            "endpoint": self.endpoint,
            "path": self.path,
            "kind": self.kind,
            "p50": round(percentile(self.latencies_ms, 50), 3),
            "statements": self.statements,
        }


class StatementCounter:
    """Counts the SQL statements the app's engine runs (one user at a time: they are one request's)."""

    def __init__(self) -> None:
        self.count = 0
        self._lock = threading.Lock()

    def __call__(self, *_args: Any) -> None:
        """SQLAlchemy's before_cursor_execute hook."""
        with self._lock:
            self.count += 1


def run_pages(app: Flask, reporter: Reporter, plan: PagesPlan) -> None:
    """Sign each role in, walk every page it may open; report each page, the slowest ten, how many over budget."""
    walkers = prepare_walkers(app)
    rules = [rule for rule in app.url_map.iter_rules() if "GET" in (rule.methods or ()) and skip_reason(rule) is None]
    timings: list[PageTiming] = []
    refused: dict[str, int] = {}
    missing: list[str] = []
    with serving(app) as port, counting_statements(app) as counter:
        for walker in walkers:
            session = sign_in(app, port, walker)
            for rule in sorted(rules, key=lambda rule: rule.rule):
                path = page_path(app, rule, walker)
                if path is None:
                    missing.append(f"{walker.role} {rule.endpoint}")
                    continue
                timing = walk(session, port, path, walker.role, rule.endpoint, plan.repeats, counter)
                if timing is None:
                    refused[walker.role] = refused.get(walker.role, 0) + 1
                else:
                    timings.append(timing)
    _report(reporter, timings, refused, missing, app)


def walk(
    session: requests.Session, port: int, path: str, role: str, endpoint: str, repeats: int, counter: StatementCounter
) -> PageTiming | None:
    """A first, untimed request (the page is the role's only when it answers 200), then `repeats` timed ones."""
    url = f"http://127.0.0.1:{port}{path}"
    first = session.get(url, allow_redirects=False, timeout=HTTP_TIMEOUT_SECONDS)
    if first.status_code != 200:  # noqa: PLR2004 (HTTP OK)
        return None
    kind = "page" if first.headers.get("Content-Type", "").startswith("text/html") else "download"
    timing = PageTiming(role, endpoint, path, kind=kind)
    for _ in range(repeats):
        before = counter.count
        started = perf_counter()
        response = session.get(url, allow_redirects=False, timeout=HTTP_TIMEOUT_SECONDS)
        timing.latencies_ms.append((perf_counter() - started) * 1000)
        timing.statements = counter.count - before
        if response.status_code != 200:  # noqa: PLR2004 (HTTP OK)
            raise RuntimeError(f"{role} {path}: {response.status_code} after a first 200")
    return timing


def skip_reason(rule: Rule) -> str | None:
    """Why the walk leaves `rule` out, or None when it is a page."""
    for prefix, reason in SKIPPED.items():
        if rule.endpoint == prefix or (prefix.endswith(".") and rule.endpoint.startswith(prefix)):
            return reason
    return None


def page_path(app: Flask, rule: Rule, walker: Walker) -> str | None:
    """The rule's path with its parameters filled from the walker's ids; None when one has no record."""
    values = {}
    for argument in rule.arguments:
        if argument not in walker.ids:
            return None
        values[argument] = walker.ids[argument]
    return app.url_map.bind("127.0.0.1").build(rule.endpoint, values, method="GET")


@contextmanager
def counting_statements(app: Flask) -> Iterator[StatementCounter]:
    """A StatementCounter listening on the app's engine for the duration."""
    counter = StatementCounter()
    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", counter)
    try:
        yield counter
    finally:
        event.remove(engine, "before_cursor_execute", counter)


def sign_in(app: Flask, port: int, walker: Walker) -> requests.Session:
    """A browser session of `walker`: the login form, then the second step when the portal asks."""
    session = requests.Session()
    if walker.email is None:
        return session
    base = f"http://127.0.0.1:{port}"
    response = _submit(session, f"{base}/login", {"email": walker.email, "password": PASSWORD})
    if response.status_code == 302 and response.headers["Location"].endswith(SECOND_STEP_PATH):  # noqa: PLR2004
        response = _submit(session, f"{base}{SECOND_STEP_PATH}", {"code": next_totp_code(app, walker.email)})
    if response.status_code != 302:  # noqa: PLR2004 (a redirect to the home page)
        raise RuntimeError(f"{walker.role} could not sign in: {response.status_code}")
    return session


def _submit(session: requests.Session, url: str, data: dict[str, str]) -> requests.Response:
    form = session.get(url, timeout=HTTP_TIMEOUT_SECONDS)
    match = CSRF.search(form.text)
    if match is None:
        raise RuntimeError(f"no CSRF token on {url}")
    return session.post(url, data={**data, "csrf_token": match.group(1)}, allow_redirects=False, timeout=60)


def prepare_walkers(app: Flask) -> list[Walker]:
    """One person of every role (a focal point and an admin are added), with a known password and app key."""
    with app.test_request_context():
        department_id = db.session.scalar(_busiest(Booking.department_id))
        interpreter_id = db.session.scalar(_busiest(Assignment.interpreter_id))
        department = db.session.get(Department, department_id)
        assert department is not None and interpreter_id is not None, "the pool has no bookings"
        people = {
            Role.CASEWORKER: _first(select(User).where(User.department_id == department.id)),
            Role.INTERPRETER: _first(
                select(User).join(InterpreterProfile).where(InterpreterProfile.id == interpreter_id)
            ),
            Role.COORDINATOR: _first(select(User).where(User.role == Role.COORDINATOR)),
            Role.FOCAL_POINT: _account("focal.point@bench.rris.example", Role.FOCAL_POINT, department.country_id),
            Role.ADMIN: _account("admin@bench.rris.example", Role.ADMIN, None),
        }
        assert set(people) == set(Role), "a role the walk does not sign in as"
        _endpoint(department.id, people[Role.ADMIN].id)
        password_hash = hash_password(PASSWORD)
        walkers = []
        for role, user in people.items():
            user.password_hash = password_hash
            has_app = db.session.scalar(select(TotpSecret.id).where(TotpSecret.user_id == user.id)) is not None
            if second_factor_required(role) and not has_app:
                authenticator_app(user)
            ids = _ids(actor_of(user), department.id, interpreter_id, department.country_id)
            walkers.append(Walker(role.value, user.email, ids))
        db.session.commit()
        db.session.remove()
    # The signed-out visitor tries the admin's pages too: each must send them to the login form.
    return [Walker(SIGNED_OUT, None, walkers[-1].ids), *walkers]


def _ids(actor: Actor, department_id: int, interpreter_id: int, country_id: int) -> dict[str, int | str]:
    """The ids of the records the actor may see, the busiest where it may see them."""
    upcoming = visible_bookings(actor, BENCH_NOW).where(
        Booking.starts_at >= BENCH_NOW, Booking.state == BookingState.CONFIRMED
    )
    found: dict[str, Any] = {
        "booking_id": db.session.scalar(upcoming.with_only_columns(Booking.id).limit(1)),
        "department_id": _prefer(visible_departments(actor), Department.id, department_id),
        "interpreter_id": _prefer(visible_interpreters(actor), InterpreterProfile.id, interpreter_id),
        "user_id": db.session.scalar(
            managed_accounts(actor).with_only_columns(User.id).where(User.id != actor.user_id).limit(1)
        )
        or actor.user_id,
        "country_id": actor.country_id or country_id,
        "endpoint_id": db.session.scalar(visible_endpoints(actor).with_only_columns(WebhookEndpoint.id).limit(1)),
        "call_id": db.session.scalar(
            select(OnDemandCall.id).join(Booking).where(booking_filter(actor, BENCH_NOW)).limit(1)
        ),
        "key": REPORT_KEY,
    }
    return {name: value for name, value in found.items() if value is not None}


def _prefer(statement: Any, column: Any, wanted: int) -> int | None:
    """`wanted` when the statement's rows hold it, else their first id."""
    ids = statement.with_only_columns(column)
    return db.session.scalar(ids.where(column == wanted)) or db.session.scalar(ids.limit(1))


def _busiest(column: Any) -> Any:
    return select(column).group_by(column).order_by(func.count().desc(), column).limit(1)


def _first(statement: Any) -> User:
    user = db.session.scalar(statement.order_by(User.id).limit(1))
    assert user is not None, f"the pool has nobody for {statement}"
    return user


def _endpoint(department_id: int, admin_id: int) -> None:
    """A case system's webhook endpoint in the busiest department, for the endpoint's page."""
    if db.session.scalar(select(WebhookEndpoint.id).where(WebhookEndpoint.department_id == department_id)):
        return
    db.session.add(
        WebhookEndpoint(
            department_id=department_id,
            url="https://case-system.bench.rris.example/rris",
            description="",
            events=WebhookEventType.CONFIRMED.value,
            secret=new_secret(),
            active=True,
            failures_in_a_row=0,
            created_at=BENCH_NOW,
            created_by_id=admin_id,
        )
    )
    db.session.flush()


def _account(email: str, role: Role, country_id: int | None) -> User:
    existing = db.session.scalar(select(User).where(User.email == email))
    if existing is not None:
        return existing
    user = User(
        email=email,
        name=email.split("@")[0].replace(".", " ").title(),
        password_hash="",
        role=role,
        country_id=country_id,
        created_at=BENCH_NOW,
        password_changed_at=BENCH_NOW,
    )
    db.session.add(user)
    db.session.flush()
    return user


def _report(
    reporter: Reporter, timings: list[PageTiming], refused: dict[str, int], missing: list[str], app: Flask
) -> None:
    for timing in timings:
        reporter.emit("page", "p95", timing.p95, "ms", **timing.line())
    ranked = sorted(timings, key=lambda timing: timing.p95, reverse=True)
    for rank, timing in enumerate(ranked[:SLOWEST], start=1):
        reporter.emit("pages_slowest", "p95", timing.p95, "ms", rank=rank, **timing.line())
    reporter.emit("pages", "walked", len(timings), "count", roles=len({timing.role for timing in timings}))
    reporter.emit(
        "pages",
        "over_budget",
        sum(1 for timing in timings if timing.p95 > BUDGET_MS),
        "count",
        budget_ms=BUDGET_MS,
        pages=[f"{timing.role} {timing.path}" for timing in ranked if timing.p95 > BUDGET_MS],
    )
    reporter.emit("pages", "not_the_roles", sum(refused.values()), "count", by_role=refused)
    reporter.emit("pages", "no_record", len(missing), "count", pages=missing)
    skipped = sorted({rule.endpoint for rule in app.url_map.iter_rules() if skip_reason(rule) is not None})
    reporter.emit("pages", "skipped_endpoints", len(skipped), "count", reasons=dict(SKIPPED))
