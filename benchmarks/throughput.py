"""Confirmed bookings per second through the real HTTP API, with concurrent clients.

The portal is served by werkzeug's threaded server on 127.0.0.1 (as in the concurrency test),
on top of a generated pool. Each client is one national case system with its own caseworker
token and one interpreter with her own token, and loops until its time is up:

  POST /api/v1/bookings                (a second session of the client's case, continuity on)
  GET  /api/v1/offers                  (as the interpreter)
  POST /api/v1/offers/<id>/accept      (the offer for the booking just made)

Every client books one of the eight most requested languages with Serbian, so the pool's
interpreters of that pair get offers too (the app's default wave of 3), but the client's
interpreter always ranks first: she served the case before. Her sessions follow each other at
distinct times, so no acceptance should be refused; any non-2xx answer is counted and reported
by status. The tokens are used once before the timed run (their first use is a write).

One process serves every request, so the number is that of one portal worker: its threads
share one interpreter lock, and on SQLite every write also waits for the database's write lock.
`cpu_ms_per_confirmed` is that process's CPU time per confirmed booking: on a loaded machine the
rate falls with the CPU others take, this stays, and 1000 over it is what one core could confirm.

Beside it, in the same run and database, the floor (`benchmarks/booking_floor.py`): as many
clients inserting a booking-sized row under the same overlap guard, each insert its own
transaction; `confirmed_percent_of_floor` is the ratio of the two rates, in percent.
"""

from __future__ import annotations

import gc
import http.client
import json
import threading
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from time import perf_counter, process_time
from typing import Any

from flask import Flask
from sqlalchemy import func, select
from werkzeug.serving import make_server

from benchmarks.booking_floor import Floor, measure_floor
from benchmarks.catalogue import BENCH_NOW
from benchmarks.report import Reporter
from rris.accounts.integrations.passwords import hash_password
from rris.accounts.models.accounts import User
from rris.accounts.services.api_tokens import create_api_token, user_for_api_token
from rris.bookings.models.bookings import Assignment, Booking
from rris.context import current_settings
from rris.enums import BookingState, Gender, Modality, Proficiency, Role, SessionKind
from rris.extensions import db
from rris.matching.domain.clashes import busy_interval
from rris.matching.domain.snapshots import Interval
from rris.pool.models.geography import Country, Department
from rris.pool.models.interpreters import Accreditation, AvailabilityWindow, InterpreterProfile, LanguagePair

CLIENTS = 8
CLIENT_LANGUAGES = ("arb", "pes", "pus", "prs", "urd", "ckb", "som", "tir")
OFFICER_LANGUAGE = "srp"
SESSION_MINUTES = 60
# Local starts in Belgrade, 90 minutes apart: a 60-minute session plus 15 minutes of rest each side.
SLOT_MINUTES = (420, 510, 600, 690, 780, 870, 960, 1050)
FIRST_DAY = date(2026, 1, 13)
MAX_SLOTS = len(SLOT_MINUTES) * 700  # well inside the clients' accreditation, whatever the speed
HTTP_TIMEOUT_SECONDS = 60
CALLS = ("post_booking", "get_offers", "accept_offer")
# How the portal is served here, in every line's data (`benchmarks.throughput_deployed` serves it
# as deployed, beside it).
PORTAL = "werkzeug threads, one process, clients in the same process"
# Where the clients' requests go: a port of 127.0.0.1 spoken to in plain HTTP, or what opens a
# connection (HTTPS through nginx, in the cluster benchmark).
Endpoint = int | Callable[[], http.client.HTTPConnection]


@dataclass(frozen=True)
class Client:
    """One case system and its interpreter, with their API tokens."""

    index: int
    caseworker_token: str
    interpreter_token: str
    applicant_language: str
    case_reference: str
    caseworker_id: int


@dataclass
class Tally:
    """What the clients saw: latencies and statuses per call, confirmations, surprises."""

    latencies: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    statuses: dict[str, Counter[int]] = field(default_factory=lambda: defaultdict(Counter))
    confirmed: int = 0
    no_offer: int = 0
    client_errors: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def record(self, call: str, status: int, elapsed_ms: float) -> None:
        """One HTTP call's status and latency (status 0: no answer at all)."""
        with self.lock:
            self.latencies[call].append(elapsed_ms)
            self.statuses[call][status] += 1


def prepare_clients(app: Flask, count: int = CLIENTS, first: int = 0) -> list[Client]:
    """Create each client's caseworker, interpreter, a first session of the case, and tokens
    (numbered from `first`, so that another set of clients books on cases of its own)."""
    clients = []
    with app.test_request_context():
        department = db.session.scalar(select(Department).join(Country).where(Country.code == "RS"))
        assert department is not None, "the pool has no Serbian department"
        department_id, country_id = department.id, department.country_id
        password_hash = hash_password("bench-client-not-used")
        for index in range(first, first + count):
            language = CLIENT_LANGUAGES[index % len(CLIENT_LANGUAGES)]
            email = f"bench.case.system{index}@mup.rs.example"
            caseworker = _user(email, Role.CASEWORKER, password_hash, department_id=department_id)
            interpreter = _interpreter(index, language, country_id, password_hash)
            reference = f"RS-BENCH-{index:02d}"
            _first_session(department_id, country_id, caseworker, interpreter, language, reference)
            db.session.commit()
            clients.append(
                Client(
                    index=index,
                    caseworker_token=create_api_token(caseworker, "benchmark", BENCH_NOW)[1],
                    interpreter_token=create_api_token(interpreter.user, "benchmark", BENCH_NOW)[1],
                    applicant_language=language,
                    case_reference=reference,
                    caseworker_id=caseworker.id,
                )
            )
        # A token's first use records it (a write); do that now, not in the timed run, where
        # eight cold tokens would queue for SQLite's write lock at the same instant.
        for client in clients:
            user_for_api_token(client.caseworker_token, BENCH_NOW)
            user_for_api_token(client.interpreter_token, BENCH_NOW)
        db.session.remove()
    return clients


def _user(email: str, role: Role, password_hash: str, department_id: int | None = None) -> User:
    user = User(
        email=email,
        name=email.split("@")[0],
        password_hash=password_hash,
        role=role,
        department_id=department_id,
        created_at=BENCH_NOW,
        password_changed_at=BENCH_NOW,
    )
    db.session.add(user)
    return user


def _interpreter(index: int, language: str, country_id: int, password_hash: str) -> InterpreterProfile:
    user = _user(f"bench.interpreter{index}@pool.rris.example", Role.INTERPRETER, password_hash)
    profile = InterpreterProfile(
        user=user,
        gender=Gender.FEMALE,
        timezone="Europe/Belgrade",
        daily_cap_minutes=600,
        rest_gap_minutes=15,
        hourly_rate=Decimal("40.00"),
        rate_currency="EUR",
        created_at=BENCH_NOW,
    )
    profile.language_pairs = [LanguagePair.between(language, OFFICER_LANGUAGE, Proficiency.NATIVE)]
    profile.accreditations = [
        Accreditation(country_id=country_id, valid_from=date(2025, 1, 1), valid_to=date(2028, 12, 31))
    ]
    profile.availability = [AvailabilityWindow(weekday=day, start_minute=0, end_minute=24 * 60) for day in range(7)]
    db.session.add(profile)
    db.session.flush()
    return profile


def _first_session(
    department_id: int,
    country_id: int,
    caseworker: User,
    interpreter: InterpreterProfile,
    language: str,
    reference: str,
) -> None:
    """A completed first interview of the case, so that the client's interpreter continues it."""
    starts = BENCH_NOW - timedelta(days=7)
    booking = Booking(
        code=f"BENCH-SEED-{reference[-2:]}",
        department_id=department_id,
        country_id=country_id,
        created_by_id=caseworker.id,
        applicant_language=language,
        officer_language=OFFICER_LANGUAGE,
        session_kind=SessionKind.ASYLUM_INTERVIEW,
        modality=Modality.VIDEO,
        starts_at=starts,
        ends_at=starts + timedelta(minutes=SESSION_MINUTES),
        case_reference=reference,
        state=BookingState.COMPLETED,
        created_at=starts - timedelta(days=3),
        updated_at=starts - timedelta(days=3),
        confirmed_at=starts - timedelta(days=3),
    )
    busy = busy_interval(Interval(booking.starts_at, booking.ends_at), interpreter.rest_gap_minutes)
    booking.assignments = [
        Assignment(
            leg=1,
            interpreter_id=interpreter.id,
            busy_from=busy.start,
            busy_until=busy.end,
            assigned_at=booking.created_at,
        )
    ]
    db.session.add(booking)


@contextmanager
def serving(app: Flask) -> Iterator[int]:
    """The portal on a free port of 127.0.0.1, threaded, its start-up heap frozen as `wsgi.py` freezes
    a worker's (the pool loaded and the clients prepared count as start-up here); yields the port."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="bench-portal", daemon=True)
    gc.collect()
    gc.freeze()
    thread.start()
    try:
        yield server.server_port
    finally:
        server.shutdown()
        thread.join(timeout=10)
        server.server_close()
        gc.unfreeze()


def call(port: Endpoint, method: str, path: str, token: str, body: Any = None) -> tuple[int, Any, float]:
    """One HTTP request on a fresh connection: (status, parsed JSON or None, milliseconds); status 0 on failure."""
    if callable(port):
        connection = port()
    else:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=HTTP_TIMEOUT_SECONDS)
    headers = {"Authorization": f"Bearer {token}", "Accept": "application/json"}
    payload = None
    if body is not None:
        payload = json.dumps(body).encode()
        headers["Content-Type"] = "application/json"
    started = perf_counter()
    try:
        connection.request(method, path, body=payload, headers=headers)
        response = connection.getresponse()
        raw = response.read()
        elapsed = (perf_counter() - started) * 1000
        try:
            parsed = json.loads(raw) if raw else None
        except ValueError:
            parsed = None
        return response.status, parsed, elapsed
    except (OSError, http.client.HTTPException):
        return 0, None, (perf_counter() - started) * 1000
    finally:
        connection.close()


def slot_start(slot: int) -> str:
    """The local start (Belgrade) of a client's `slot`-th session."""
    day = FIRST_DAY + timedelta(days=slot // len(SLOT_MINUTES))
    minute = SLOT_MINUTES[slot % len(SLOT_MINUTES)]
    return f"{day.isoformat()}T{minute // 60:02d}:{minute % 60:02d}"


def _client(port: Endpoint, client: Client, deadline: list[float], tally: Tally, start: threading.Barrier) -> None:
    """One client's thread: its loop, with any surprise in the client itself counted, not lost."""
    start.wait()
    try:
        _client_loop(port, client, deadline, tally)
    except Exception as error:  # counted and reported; the other clients go on
        with tally.lock:
            tally.client_errors.append(repr(error))


def _client_loop(port: Endpoint, client: Client, deadline: list[float], tally: Tally) -> None:
    for slot in range(MAX_SLOTS):
        if perf_counter() >= deadline[0]:
            return
        request = {
            "applicant_language": client.applicant_language,
            "officer_language": OFFICER_LANGUAGE,
            "session_kind": "asylum_interview",
            "start_local": slot_start(slot),
            "duration_minutes": SESSION_MINUTES,
            "case_reference": client.case_reference,
            "continuity": True,
            "notes": "Follow-up interview.",
        }
        status, body, elapsed = call(port, "POST", "/api/v1/bookings", client.caseworker_token, request)
        tally.record("post_booking", status, elapsed)
        if status != 201:
            continue
        booking_id = body["id"]
        status, offers, elapsed = call(port, "GET", "/api/v1/offers", client.interpreter_token)
        tally.record("get_offers", status, elapsed)
        if status != 200:
            continue
        offer = next((item for item in offers["items"] if item["booking"]["id"] == booking_id), None)
        if offer is None:
            with tally.lock:
                tally.no_offer += 1
            continue
        path = f"/api/v1/offers/{offer['id']}/accept"
        status, body, elapsed = call(port, "POST", path, client.interpreter_token, {})
        tally.record("accept_offer", status, elapsed)
        if status == 200 and body and body.get("state") == BookingState.CONFIRMED.value:
            with tally.lock:
                tally.confirmed += 1


def run_throughput(app: Flask, report: Reporter, seconds: float, clients: int = CLIENTS) -> None:
    """Drive `clients` concurrent clients for `seconds`; print bookings per second and latencies."""
    prepared = prepare_clients(app, clients)
    with serving(app) as port:
        cpu_started = process_time()
        tally, elapsed = drive(port, prepared, seconds)
        cpu = process_time() - cpu_started
    with app.app_context():
        floor = measure_floor(db.engine, clients, seconds)
    _report(app, report, tally, prepared, elapsed)
    # What a booking costs the portal's process, whatever else the machine runs: its CPU time
    # (all threads, the clients' few HTTP calls included) over the confirmed bookings.
    cpu_ms = 1000 * cpu / tally.confirmed if tally.confirmed else 0.0
    report.emit("throughput", "cpu_ms_per_confirmed", cpu_ms, "ms", clients=len(prepared), portal=PORTAL)
    _report_floor(report, floor, tally.confirmed / elapsed if elapsed else 0.0)


def drive(endpoint: Endpoint, prepared: list[Client], seconds: float) -> tuple[Tally, float]:
    """Run every prepared client against `endpoint` for `seconds`, each on its own thread; what
    they saw and how long they ran."""
    tally = Tally()
    start = threading.Barrier(len(prepared) + 1)
    deadline = [0.0]
    threads = [
        threading.Thread(target=_client, args=(endpoint, client, deadline, tally, start), name=f"client-{n}")
        for n, client in enumerate(prepared)
    ]
    for thread in threads:
        thread.start()
    deadline[0] = perf_counter() + seconds  # set before the barrier opens: every client reads it after
    started = perf_counter()
    start.wait()
    for thread in threads:
        thread.join()
    return tally, perf_counter() - started


def _report_floor(report: Reporter, floor: Floor, confirmed_per_second: float) -> None:
    """The raw guarded insert rate beside the confirmed bookings per second, and their ratio."""
    extra = {"clients": floor.clients}
    report.emit("throughput_floor", "inserts_per_second", floor.per_second, "rows/s", **extra)
    report.emit("throughput_floor", "inserts", floor.commits, "rows", **extra)
    report.emit("throughput_floor", "client_errors", len(floor.errors), "errors", first=floor.errors[:1])
    # A percentage: the raw rate is thousands a second, a ratio of a few thousandths would round away.
    percent = 100 * confirmed_per_second / floor.per_second if floor.per_second else 0.0
    report.emit("throughput_floor", "confirmed_percent_of_floor", percent, "%", **extra)


def _report(app: Flask, report: Reporter, tally: Tally, clients: list[Client], elapsed: float) -> None:
    with app.app_context():
        wave = current_settings().offer_wave_size
        in_database = db.session.scalar(
            select(func.count())
            .select_from(Booking)
            .where(
                Booking.created_by_id.in_([c.caseworker_id for c in clients]), Booking.state == BookingState.CONFIRMED
            )
        )
        db.session.remove()
    extra = {"clients": len(clients), "offer_wave_size": wave, "portal": PORTAL}
    report.emit(
        "throughput", "confirmed_per_second", tally.confirmed / elapsed if elapsed else 0.0, "bookings/s", **extra
    )
    report.emit("throughput", "confirmed", tally.confirmed, "bookings", **extra)
    report.emit("throughput", "confirmed_in_database", in_database or 0, "bookings", **extra)
    report.emit("throughput", "duration", elapsed, "s", **extra)
    for name in CALLS:
        samples = tally.latencies.get(name, [])
        report.latencies(f"http_{name}", samples, percents=(50, 95))
    unexpected = 0
    for name in CALLS:
        for status, count in sorted(tally.statuses.get(name, Counter()).items()):
            if not 200 <= status < 300:
                report.emit("throughput", f"{name}_status_{status}", count, "responses")
                unexpected += count if status != 409 else 0
    report.emit("throughput", "unexpected_responses", unexpected, "responses")
    report.emit("throughput", "bookings_without_own_offer", tally.no_offer, "bookings")
    report.emit("throughput", "client_errors", len(tally.client_errors), "errors", first=tally.client_errors[:1])
