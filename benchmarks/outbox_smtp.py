"""The outbox benchmark's SMTP side: a real server on 127.0.0.1 that counts what arrives (a
duplicate fails the run), and the floor: smtplib alone sending the very same bytes over one connection."""

from __future__ import annotations

import email
import email.policy
import re
import smtplib
import socket
import threading
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from time import perf_counter
from typing import Any

from aiosmtpd.controller import Controller

from rris.notifications.integrations.mail import SMTP_TIMEOUT_SECONDS

FLOOR_SECONDS = 1.0  # the floor's replay goes on at least this long


class CountingHandler:
    """An aiosmtpd handler that counts messages by (recipients, subject, booking code), keeping nothing else."""

    _SUBJECT = re.compile(rb"^Subject: (.*(?:\r?\n[ \t].*)*)", re.MULTILINE)
    _BOOKING = re.compile(r"^Booking: (\S+)", re.MULTILINE)

    def __init__(self) -> None:
        self._counts: Counter[tuple[Any, ...]] = Counter()
        self._replayed: Counter[tuple[Any, ...]] = Counter()
        self._lock = threading.Lock()
        self.kept: list[tuple[str, list[str], bytes]] | None = None  # (from, to, bytes) while keeping
        self.replaying = False  # the floor's replay: read as any message is, counted apart, not kept

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802 (aiosmtpd's name)
        content: bytes = envelope.content
        if self.kept is not None and not self.replaying:
            self.kept.append((envelope.mail_from, list(envelope.rcpt_tos), content))
        subject = self._SUBJECT.search(content)
        booking = self._BOOKING.search(content.decode("utf-8", "replace"))
        if booking is None:  # a body in base64 or quoted-printable: the slow way
            body = email.message_from_bytes(content, policy=email.policy.default).get_body(("plain",))
            booking = self._BOOKING.search(body.get_content() if body else "")  # type: ignore[attr-defined]
        key = (tuple(envelope.rcpt_tos), subject.group(1).rstrip() if subject else None, booking and booking[1])
        with self._lock:
            (self._replayed if self.replaying else self._counts)[key] += 1
        return "250 Message accepted for delivery"

    def counts(self) -> Counter[tuple[Any, ...]]:
        """How often each message arrived."""
        with self._lock:
            return Counter(self._counts)


@contextmanager
def smtp_server() -> Iterator[tuple[int, CountingHandler]]:
    """A real SMTP server on a free port of 127.0.0.1, in a thread; yields its port and its handler."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    handler = CountingHandler()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield port, handler
    finally:
        controller.stop()


@dataclass(frozen=True)
class Rate:
    """Messages sent in so many seconds, and the CPU seconds the whole process (the SMTP server too) spent."""

    messages: int
    seconds: float
    cpu_seconds: float

    @property
    def per_second(self) -> float:
        return self.messages / self.seconds if self.seconds else 0.0

    @property
    def cpu_ms_each(self) -> float:
        """CPU milliseconds a message: what a loaded machine's share of the cores does not distort."""
        return 1000 * self.cpu_seconds / self.messages if self.messages else 0.0


def smtplib_floor(port: int, handler: CountingHandler, messages: list[tuple[str, list[str], bytes]]) -> Rate:
    """smtplib alone sending `messages` (as received) to the server on `port` over one connection,
    again and again for a second at least (each at least once): its rate and the process's CPU time."""
    handler.replaying = True
    sent = 0
    try:
        with smtplib.SMTP("127.0.0.1", port, timeout=SMTP_TIMEOUT_SECONDS) as smtp:
            started, cpu = perf_counter(), time.process_time()
            while messages and (sent < len(messages) or perf_counter() - started < FLOOR_SECONDS):
                sender, recipients, content = messages[sent % len(messages)]
                smtp.sendmail(sender, recipients, content)
                sent += 1
            seconds, cpu = perf_counter() - started, time.process_time() - cpu
    finally:
        handler.replaying = False
    return Rate(sent, seconds, cpu)
