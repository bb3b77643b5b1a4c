"""The call signalling protocol: JSON text frames over one WebSocket per participant.

Endpoint: `GET /calls/ws` on the signalling service. The `Origin` header must be the portal's
origin (from RRIS_PUBLIC_URL); anything else gets HTTP 403 before the upgrade.

Client -> server (every frame a JSON object with a "type"; at most 64 KB):
  {"type": "join", "ticket": "<signed join ticket from the portal>", "resume": false}
                                             first frame, within 10 s; "resume": true when this page
                                             was in the call before its socket dropped
  {"type": "offer", "to": "<peer id>", "sdp": "<SDP with a=fingerprint>"}
  {"type": "answer", "to": "<peer id>", "sdp": "<SDP with a=fingerprint>"}
  {"type": "candidate", "to": "<peer id>", "candidate": {"candidate", "sdpMid", "sdpMLineIndex"} | null}
  {"type": "restart", "to": "<peer id>"}      ask that peer (the offerer of the pair) for an ICE restart
  {"type": "status", "peer": "<peer id>", "state": one of CONNECTION_STATES}
  {"type": "quality", "peer": "<peer id>", "rtt_ms": number|null, "loss_percent": number|null,
   "bitrate_kbps": number|null}                                            at most every 2 s per peer
  {"type": "ping"}                                                         answered by {"type": "pong"}
  {"type": "leave"}                          hang up: the ticket cannot be used again
  {"type": "phone", "action": "call"}        ring my registered, verified phone and bridge it into
                                             this call (people with an account only; never a number
                                             from the page)
  {"type": "phone", "action": "hangup"}      hang my phone up; this page stays in the call

Server -> client:
  {"type": "welcome", "you": PEER, "peers": [PEER, ...], "ends_at": "<ISO 8601 UTC>"}
  {"type": "peer-joined", "peer": PEER}      (again for a known id: that peer reconnected from scratch,
                                              drop the old RTCPeerConnection for it)
  {"type": "peer-away", "peer": "<id>"}      its WebSocket dropped; it may come back (show "reconnecting")
  {"type": "peer-back", "peer": PEER}        the same page came back (resume, same ticket): keep the
                                              RTCPeerConnection (it restarts ICE itself if needed)
  {"type": "peer-left", "peer": "<id>", "reason": "left" | "gone" | "replaced-elsewhere" | "removed"}
                                             "removed": that person no longer takes part in the
                                              session (released, replaced, invitation withdrawn)
  {"type": "offer" | "answer" | "candidate" | "restart", "from": "<peer id>", ...same fields}
  {"type": "pong"}
  {"type": "reconnect"}                      this node stops serving the call (it drains, or the room
                                             moved to another node): close 1012 follows; connect again
                                             at once with the same ticket and "resume": true
  {"type": "error", "code": "<code>", "message": "<sentence>"}   sent just before a close, or alone
                                                                  for a benign problem (unknown peer)
  {"type": "phone", "state": "dialing", "message": "<sentence>", "simulator_url": "<URL>" | null}
                                             answers "call": the phone is ringing; without Twilio (the
                                             offline demo) simulator_url is a page that plays the phone
  {"type": "phone", "state": "refused", "code": "<code>", "message": "<sentence>"}
                                             answers "call": the core's codes (no_verified_phone,
                                             not_a_participant, call_not_open, country_not_allowed,
                                             number_type, already_on_phone, booking_cap, daily_cap, twilio_refused,
                                             twilio_unavailable), or busy (a request still running),
                                             unavailable (no telephone service here, or it failed)
  {"type": "phone", "state": "ended", "message": "<sentence>"}
                                             answers "hangup", and tells the page that asked for a phone
                                             leg when the leg ended otherwise (hung up, call over)
  PEER = {"id": "user-7", "role": "officer" | "interpreter" | "guest", "name": "<display name>"}
         a telephone leg also has "phone": true: {"id": "phone-user-7", "role": "interpreter",
         "name": "Mariam Ahmadzai (phone)", "phone": true}; "phone-dialin-<leg id>" for a caller
         who dialled in with the booking's PIN (role "guest", name "Caller ending 1234")

The roster (`signaling/roster.py`): at the join and every few seconds after it, the service asks
the core whether each ticket's holder still takes part in the session. One who no longer does gets
{"type": "error", "code": "removed"} and close 4404, and the others "peer-left" with reason
"removed"; when the session is cancelled everyone gets "call_cancelled" and close 4410. A join
that cannot be checked (the database is away) gets "try_again" and close 1013; try again later.

Several nodes (`signaling/nodes.py`, `signaling/relay.py`): the page may reach any node; a node
that does not host the room bridges the page to the one that does, and the page sees no
difference. When the nodes' shared state (Redis) does not answer, a join gets
"service_unavailable" and close 1013 (the page shows why and tries again); a node that stops,
or whose room moved, sends "reconnect" and closes 1012.

Who offers: in each pair the peer whose id sorts first makes the offer (when it gets "welcome"
listing the other, or "peer-joined"), so offers never cross; the other side asks with "restart"
when its connection fails, and the offerer answers with an ICE-restart offer.

Telephone legs: a phone that answers is bridged in by this service (`signaling/phone_stream.py`,
Twilio Media Streams on `GET /phone/stream`) as a participant of its own: peer-joined once the
phone has answered (its stream started), peer-left (reason "left" or "gone") when it ends, never
peer-away (a phone leg does not come back; a new leg is a new participant). The bridge follows
the same offerer rule ("phone-user-7" sorts before "user-3", so the bridge offers; "guest-2"
sorts before it, so the guest offers), sends audio only, G.711 mu-law (PCMU) first and Opus
after it, and answers video as inactive. It makes no ICE restarts: asked for one, it starts the
connection afresh (a new session: the page drops its old RTCPeerConnection for the bridge).
Leg tickets (signed apart from join tickets: rris.calls.domain.call_tickets) are refused on /calls/ws,
and call pages' join tickets on /phone/stream (error "ticket_wrong_channel").
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from rris.calls.domain.call_participants import MalformedParticipant, Participant

MAX_FRAME_BYTES = 64 * 1024
MAX_PARTICIPANTS = 4  # a peer-to-peer mesh: each browser sends a copy of its media to every other
JOIN_TIMEOUT_SECONDS = 10.0

CONNECTION_STATES = frozenset({"connecting", "connected", "poor", "reconnecting", "failed", "closed"})
RELAYED_TYPES = frozenset({"offer", "answer", "candidate", "restart"})
CLIENT_TYPES = RELAYED_TYPES | {"join", "status", "quality", "ping", "leave", "phone"}
PHONE_ACTIONS = frozenset({"call", "hangup"})


class Close:
    """WebSocket close codes the service uses; the reason text repeats the error code."""

    NORMAL = 1000
    TOO_BIG = 1009  # aiohttp closes with this itself when a frame exceeds MAX_FRAME_BYTES
    GOING_AWAY = 1001  # the service is shutting down
    SERVICE_RESTART = 1012  # after {"type": "reconnect"}: this node no longer serves the room; reconnect now
    TRY_AGAIN = 1013  # the roster could not be read (the database is away): the page tries again
    BAD_FRAME = 4400  # not JSON, not an object, or a field of the wrong shape
    TICKET_REFUSED = 4401  # malformed, not ours, too early, expired, or of the other kind
    TICKET_USED = 4403  # the ticket's holder left the call; a ticket does not work twice
    REMOVED = 4404  # the holder no longer takes part in the session (released, replaced, invitation withdrawn)
    JOIN_TIMEOUT = 4408  # no join frame in time
    REPLACED = 4409  # the same participant joined from another tab or device
    CALL_OVER = 4410  # the ticket expired during the call, or the session was cancelled
    INVALID_MESSAGE = 4422  # unknown type, SDP without a fingerprint, message before join
    FLOOD = 4429  # too many messages or candidates
    ROOM_FULL = 4503  # the call already has MAX_PARTICIPANTS people (browsers connect as a mesh)


class ProtocolError(Exception):
    """A frame the service refuses: `close_code` and a short `code` for the error frame."""

    def __init__(self, close_code: int, code: str, message: str) -> None:
        super().__init__(message)
        self.close_code = close_code
        self.code = code
        self.message = message


@dataclass(frozen=True)
class ClientMessage:
    """A parsed, shape-checked frame from a client."""

    type: str
    fields: dict[str, Any]


def parse_client_frame(text: str) -> ClientMessage:
    """Parse and check one text frame; ProtocolError says why it is refused."""
    try:
        data = json.loads(text)
    except ValueError:
        raise ProtocolError(Close.BAD_FRAME, "not_json", "Frames must be JSON objects.") from None
    if not isinstance(data, dict) or not isinstance(data.get("type"), str):
        raise ProtocolError(Close.BAD_FRAME, "bad_frame", "Frames must be JSON objects with a type.")
    kind = data["type"]
    if kind not in CLIENT_TYPES:
        raise ProtocolError(Close.INVALID_MESSAGE, "unknown_type", f"Unknown message type {kind[:40]!r}.")
    if kind == "join":
        _require_text(data, "ticket")
        if not isinstance(data.get("resume", False), bool):
            raise ProtocolError(Close.BAD_FRAME, "bad_field", "resume must be true or false.")
    if kind in RELAYED_TYPES:
        _require_text(data, "to")
    if kind in ("offer", "answer"):
        sdp = _require_text(data, "sdp")
        if "a=fingerprint:" not in sdp:
            raise ProtocolError(
                Close.INVALID_MESSAGE, "no_fingerprint", "SDP without a DTLS fingerprint is refused."
            )
    if kind == "candidate":
        candidate = data.get("candidate")
        if candidate is not None and not (
            isinstance(candidate, dict) and isinstance(candidate.get("candidate", ""), str)
        ):
            raise ProtocolError(Close.BAD_FRAME, "bad_field", "candidate must be an ICE candidate object or null.")
    if kind == "status":
        _require_text(data, "peer")
        if data.get("state") not in CONNECTION_STATES:
            raise ProtocolError(Close.BAD_FRAME, "bad_field", "state must be one of " + ", ".join(
                sorted(CONNECTION_STATES)
            ) + ".")
    if kind == "quality":
        _require_text(data, "peer")
        for name in ("rtt_ms", "loss_percent", "bitrate_kbps"):
            value = data.get(name)
            if value is not None and (isinstance(value, bool) or not isinstance(value, int | float) or value < 0):
                raise ProtocolError(Close.BAD_FRAME, "bad_field", f"{name} must be a number of zero or more.")
    if kind == "phone" and data.get("action") not in PHONE_ACTIONS:
        raise ProtocolError(Close.BAD_FRAME, "bad_field", "action must be call or hangup.")
    return ClientMessage(kind, data)


def peer_named(peer_id: str) -> Participant | None:
    """The participant a client names as a peer ("to"); None when the id names nobody at all."""
    try:
        return Participant.parse(peer_id)
    except MalformedParticipant:
        return None


def encode(kind: str, **fields: Any) -> str:
    """A server frame."""
    return json.dumps({"type": kind, **fields}, separators=(",", ":"))


def _require_text(data: dict[str, Any], name: str) -> str:
    value = data.get(name)
    if not isinstance(value, str) or not value:
        raise ProtocolError(Close.BAD_FRAME, "bad_field", f"{name} must be a non-empty string.")
    return value
