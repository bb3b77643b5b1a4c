"""Where an on-demand request stands, how a ring ended, and what a request's answer is."""

from __future__ import annotations

from enum import StrEnum


class CallState(StrEnum):
    """An on-demand request, from the officer's click to the end of the call."""

    WAITING = "waiting"  # in the queue of its language pair, nobody ringing
    RINGING = "ringing"  # one or more interpreters' pages ring
    ANSWERED = "answered"  # an interpreter accepted; the call is being joined
    CONNECTED = "connected"  # both in the call
    ENDED = "ended"
    ABANDONED = "abandoned"  # the officer gave up before anyone answered


OPEN_STATES = frozenset({CallState.WAITING, CallState.RINGING})
LIVE_STATES = frozenset({CallState.ANSWERED, CallState.CONNECTED})


class RingOutcome(StrEnum):
    """How one interpreter's ring ended (None while it rings)."""

    ACCEPTED = "accepted"
    DECLINED = "declined"
    MISSED = "missed"  # unanswered in time, or her page went away
    STOPPED = "stopped"  # someone else accepted, or the officer gave up


# Rings that keep the interpreter from being rung again for the same request.
REFUSALS = frozenset({RingOutcome.DECLINED, RingOutcome.MISSED})


class Answer(StrEnum):
    """What the officer hears at once when asking for an interpreter now."""

    RINGING = "ringing"
    QUEUED = "queued"  # everyone suitable is busy: wait in line
    NONE_AVAILABLE = "none_available"  # nobody reachable could take it, even when free: wait or book


class RingChannel(StrEnum):
    """Where a ring reaches the interpreter: her live page, or her phone (the escalation)."""

    PAGE = "page"
    PHONE = "phone"
