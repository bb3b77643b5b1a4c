"""The several-nodes topology (`make cluster`) on 127.0.0.1: nginx over TLS in front of two
gunicorn portals and two signalling nodes, Redis, coturn, PostgreSQL, and two schedulers sending
mail to a real SMTP server (aiosmtpd) of the test.

One cluster for the module (about 40 s to start with the demo pool); the tests run in order and
the last ones are the rough ones (kill -9 a scheduler, HUP every portal)."""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import re
import secrets
import signal
import time
import urllib.error
import uuid
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from flask import Flask
from sqlalchemy import create_engine, select
from sqlalchemy.pool import NullPool

from deploy.cluster import Cluster
from deploy.local.ports import free_port, poll_until
from rris.accounts.models.accounts import User
from rris.app import create_app
from rris.bookings.models.bookings import Booking
from rris.calls.domain.call_participants import Participant
from rris.calls.domain.call_tickets import CallTicket, sign_ticket
from rris.enums import CallRole, NotificationState
from rris.extensions import db
from rris.settings import Settings
from signaling.protocol import Close
from tests.support.call_peers import ProtocolClient
from tests.support.cluster_client import DEMO_PASSWORD, JELENA, HttpsClient, booking_request, flask
from tests.support.cluster_reminders import (
    Message,
    confirm_sessions,
    expected,
    kill_between_sends,
    outbox_states,
    received,
)
from tests.support.smtp import SmtpServer

TAKEOVER_LIMIT_SECONDS = 30.0
# One-hour reminders of six sessions fall due this many seconds after they are booked: the first
# two go while both schedulers run, the kill comes after them, the rest around the takeover.
REMINDERS_IN = (1.5, 2, 4, 5, 6, 8)
BEFORE_THE_KILL = 2
BURST_REQUESTS = 60
BURST_THREADS = 4
ATTEMPTS = 3


@pytest.fixture(scope="module")
def mail_server() -> Iterator[SmtpServer]:
    server = SmtpServer()
    server.start()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def cluster(tmp_path_factory: pytest.TempPathFactory, mail_server: SmtpServer) -> Iterator[Cluster]:
    workdir = tmp_path_factory.mktemp("cluster")
    with Cluster(workdir, https_port=free_port(), smtp_port=mail_server.port) as running:
        yield running


@pytest.fixture(scope="module")
def cluster_app(cluster: Cluster) -> Iterator[Flask]:
    """The core app on the cluster's own settings, to arrange data in its database."""
    app = create_app(Settings.from_env(cluster.env))
    yield app
    with app.app_context():
        db.engine.dispose()


@pytest.fixture(scope="module")
def api_token(cluster: Cluster) -> str:
    return flask(cluster, "tokens", "create", JELENA, "--name", "case system").strip()


def portal_logs(cluster: Cluster) -> str:
    return "".join(process.log_text() for name, process in cluster.processes.items() if name.startswith("portal"))


def post_booking(client: HttpsClient, cluster: Cluster, token: str, reference: str) -> tuple[int, int | None]:
    """POST a booking as a case system does: one that hears nothing back in time asks again with
    the same Idempotency-Key (on a busy machine an answer can outlast the client's 30 s)."""

    def post() -> tuple[int, int | None]:
        answer = client.request(
            f"{cluster.url}/api/v1/bookings",
            json.dumps(booking_request(reference)).encode(),
            {"Authorization": f"Bearer {token}", "Content-Type": "application/json", "Idempotency-Key": reference},
        )
        return answer.status, answer.json()["id"] if answer.status == 201 else None

    for _unanswered in range(ATTEMPTS - 1):
        with contextlib.suppress(TimeoutError, ConnectionError, urllib.error.URLError):
            return post()
    return post()


def test_a_caseworker_signs_in_and_a_case_system_books_through_nginx_over_tls(cluster, api_token):
    browser = HttpsClient(cluster.ssl_context())
    sign_in = browser.request(f"{cluster.url}/login")
    assert sign_in.status == 200 and 'name="password"' in sign_in.text
    assert sign_in.headers["Server"].startswith("nginx")
    assert "max-age" in sign_in.headers["Strict-Transport-Security"]

    home = browser.submit(f"{cluster.url}/login", {"email": JELENA, "password": DEMO_PASSWORD})
    assert home.status == 200 and not home.url.endswith("/login"), home.text[home.text.find("<main") :][:800]
    assert "Jelena" in home.text
    assert any(cookie.secure for cookie in browser.cookies)  # production settings: cookies only over HTTPS

    case_system = HttpsClient(cluster.ssl_context())  # its own client: no caseworker's cookies
    status, booking_id = post_booking(case_system, cluster, api_token, "RS-CLUSTER-1")
    assert status == 201
    bearer = {"Authorization": f"Bearer {api_token}"}
    mine = case_system.request(f"{cluster.url}/api/v1/bookings/{booking_id}", headers=bearer)
    assert mine.status == 200 and mine.json()["case_reference"] == "RS-CLUSTER-1"


def test_nginx_serves_the_static_files_itself(cluster):
    client = HttpsClient(cluster.ssl_context())
    answer = client.request(f"{cluster.url}/static/favicon.svg")
    assert answer.status == 200 and answer.headers["Content-Type"] == "image/svg+xml"
    assert answer.text == (Path(__file__).resolve().parents[2] / "static" / "favicon.svg").read_text()
    assert answer.headers["Cache-Control"] == "max-age=3600"  # nginx's expires, not the portal's
    assert "/static/favicon.svg" not in portal_logs(cluster)  # no gunicorn worker saw it


def officer_tickets(cluster: Cluster, api_token: str, reference: str, tabs: int = 1) -> tuple[list[str], str]:
    """Join tickets as the portal signs them (with the cluster's key) for Jelena's `tabs` in a new
    booking of the cluster, and her participant id; the demo pool's call (`flask demo call`) would depend on the
    hour in Kabul."""
    _status, booking_id = post_booking(HttpsClient(cluster.ssl_context()), cluster, api_token, reference)
    engine = create_engine(cluster.database_url, poolclass=NullPool)
    with engine.connect() as connection:
        jelena_id = connection.scalar(select(User.id).where(User.email == JELENA))
    engine.dispose()
    now, room = datetime.now(UTC), secrets.token_urlsafe(18)
    tickets = [
        CallTicket(
            room=room, booking_id=booking_id, participant=Participant.user(jelena_id),
            role=CallRole.OFFICER, display_name="Jelena Marković", not_before=now - timedelta(minutes=1),
            expires_at=now + timedelta(hours=1), nonce=secrets.token_urlsafe(12),
        )  # fmt: skip
        for _tab in range(tabs)
    ]
    signed = [sign_ticket(ticket, cluster.env["RRIS_SECRET_KEY"]) for ticket in tickets]
    return signed, Participant.user(jelena_id).encode()


def test_a_websocket_goes_through_nginx_to_the_signalling_node_and_its_join_is_answered(cluster, api_token):
    [signed], jelena = officer_tickets(cluster, api_token, "RS-CLUSTER-WS")

    async def join() -> dict[str, Any]:
        async with aiohttp.ClientSession() as session:
            url = f"wss://127.0.0.1:{cluster.https_port}/calls/ws"
            async with session.ws_connect(url, ssl=cluster.ssl_context(), origin=cluster.url) as socket:
                await socket.send_json({"type": "join", "ticket": signed, "resume": False})
                welcome: dict[str, Any] = await socket.receive_json(timeout=10)
                await socket.send_json({"type": "ping"})
                pong: dict[str, Any] = await socket.receive_json(timeout=10)
                await socket.send_json({"type": "leave"})
                return {**welcome, "then": pong}

    welcome = asyncio.run(join())
    assert welcome["type"] == "welcome", welcome
    assert welcome["you"]["id"] == jelena and welcome["then"] == {"type": "pong"}
    assert re.search(r'"GET /calls/ws HTTP/1.1" 101 ', (cluster.nginx.workdir / "access.log").read_text())


def test_the_two_signalling_nodes_share_a_call_through_redis(cluster, api_token):
    """Jelena's first tab on one node, her second on the other: the second replaces the first, as
    on one node, so a page may reach either node through nginx (no sticky sessions)."""
    [first_tab, second_tab], jelena = officer_tickets(cluster, api_token, "RS-CLUSTER-NODES", tabs=2)
    first_node, second_node = (f"ws://127.0.0.1:{port}/calls/ws" for port in cluster.signaling_ports)

    async def two_tabs() -> tuple[dict[str, Any], dict[str, Any], int | None]:
        async with aiohttp.ClientSession() as session:
            first = ProtocolClient(await session.ws_connect(first_node, origin=cluster.url))
            await first.join(first_tab)
            second = ProtocolClient(await session.ws_connect(second_node, origin=cluster.url))
            welcome = await second.join(second_tab)
            told, code = await first.expect("error"), await first.close_code()
            await second.send("leave")
            await second.close_code()
            return welcome, told, code

    welcome, told, code = asyncio.run(two_tabs())
    assert welcome["you"]["id"] == jelena and told["code"] == "replaced"
    assert code == Close.REPLACED


def test_two_schedulers_send_each_reminder_once_and_the_other_sends_the_rest_once_when_the_acting_one_is_killed(
    cluster, cluster_app, mail_server
):
    """In this module's cluster (`make cluster`'s two schedulers on its PostgreSQL, mail to the
    test's SMTP server), six confirmed sessions' reminders fall due on the real clock (the
    scheduler processes read no test clock): two within seconds while both schedulers run, four
    over the seconds around the kill and the takeover, some while no scheduler leads. The kill
    lands between two sends: the one in flight at a kill is marked uncertain, never resent, and
    `tests/scheduler/test_outbox_restart.py` covers that. Each message is counted at the SMTP server."""
    first, second = cluster.processes["scheduler-1"], cluster.processes["scheduler-2"]
    assert "scheduler: leading" in first.log_text()
    assert "waiting for the leader lock" in second.log_text() and "scheduler: leading" not in second.log_text()
    sessions = confirm_sessions(cluster_app, [timedelta(seconds=delay) for delay in REMINDERS_IN])
    before, around = sessions[:BEFORE_THE_KILL], sessions[BEFORE_THE_KILL:]

    def arrived() -> Counter[Message]:
        return received(list(mail_server.mailbox.messages), sessions)

    assert poll_until(lambda: expected(before) <= set(arrived()), 30), arrived()
    assert "scheduler: leading" not in second.log_text()
    kill_between_sends(first.pid, cluster_app, sessions)
    killed, killed_at = time.monotonic(), datetime.now(UTC)
    at_the_kill = arrived()
    assert set(at_the_kill.values()) == {1}, "two schedulers sent a message twice"
    assert not expected(around) <= set(at_the_kill), "every reminder went before the kill: it proves nothing"

    assert poll_until(lambda: "scheduler: leading" in second.log_text(), TAKEOVER_LIMIT_SECONDS), second.log_text()
    print(f"\nscheduler-2 took over {time.monotonic() - killed:.1f} s after kill -9 of scheduler-1")
    leaderless = sum(killed_at < session.reminder_due < datetime.now(UTC) for session in around)
    print(f"{leaderless} sessions' reminders fell due while no scheduler led")
    assert second.alive()
    assert poll_until(lambda: set(arrived()) == expected(sessions), 30), (arrived(), second.log_text()[-3000:])
    after = len(arrived()) - len(at_the_kill)
    print(f"scheduler-1 sent {len(at_the_kill)} of the sessions' messages, scheduler-2 the other {after}")
    every_row_sent = Counter({NotificationState.SENT: len(expected(sessions))})
    assert poll_until(lambda: outbox_states(cluster_app, sessions) == every_row_sent, 10)
    assert arrived() == Counter(dict.fromkeys(expected(sessions), 1)), "a message went twice"


def test_a_rolling_restart_of_every_portal_during_a_burst_of_bookings_loses_no_acknowledged_one(cluster, api_token):
    booted_before = portal_logs(cluster).count("Booting worker")
    client = HttpsClient(cluster.ssl_context())
    references = [f"RS-BURST-{uuid.uuid4().hex[:12]}" for _ in range(BURST_REQUESTS)]
    with ThreadPoolExecutor(BURST_THREADS) as pool:
        answers = [pool.submit(post_booking, client, cluster, api_token, reference) for reference in references]
        for name in ("portal-1", "portal-2"):
            assert poll_until(lambda: sum(answer.done() for answer in answers) >= 5, 60)
            os.kill(cluster.processes[name].pid, signal.SIGHUP)  # gunicorn: new workers, the old ones drain
            time.sleep(1.0)
        answered_before_the_restarts_ended = sum(answer.done() for answer in answers)
        results = [answer.result(timeout=ATTEMPTS * 60) for answer in answers]

    assert answered_before_the_restarts_ended < BURST_REQUESTS  # the burst outlasted both HUPs
    assert [status for status, _id in results] == [201] * BURST_REQUESTS
    engine = create_engine(cluster.database_url, poolclass=NullPool)
    with engine.connect() as connection:
        stored = list(connection.scalars(select(Booking.case_reference).where(Booking.case_reference.in_(references))))
    engine.dispose()
    assert sorted(stored) == sorted(references)  # each once: a repeated request is answered, not booked again
    # Both masters really replaced their workers, while the burst ran.
    assert poll_until(lambda: portal_logs(cluster).count("Booting worker") >= booted_before + 4, 30)
    assert portal_logs(cluster).count("Hang up: Master") == 2
    assert all(cluster.processes[name].alive() for name in ("portal-1", "portal-2"))
