"""Where participants join a session's call. The links in invitations and reminders point here.

The page is a template plus plain JavaScript (static/js/call.js): the view checks who may join,
issues a join pass and hands it to the script as a JSON block; media then flows peer to peer.
"""

from __future__ import annotations

from datetime import UTC
from typing import Any
from urllib.parse import urlsplit

from flask import Blueprint, Response, make_response, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from rris.context import current_clock
from rris.domain.call_tickets import valid_span
from rris.domain.errors import Conflict
from rris.enums import CallRole
from rris.models import Booking
from rris.queries.scoping import get_visible, visible_bookings
from rris.services.call_access import JOINABLE_STATES, JoinPass, issue_join_pass
from rris.services.call_guests import guest_by_link, issue_guest_pass
from rris.web import CONTENT_SECURITY_POLICY
from rris.web.authentication import current_actor

bp = Blueprint("calls", __name__, url_prefix="/calls")

# The call page may use the camera and microphone, here only (never in frames).
CALL_PERMISSIONS_POLICY = "camera=(self), microphone=(self)"


@bp.get("/<int:booking_id>")
@login_required
def join(booking_id: int) -> Any:
    """The call page for a participant while the call is open; the holding page otherwise."""
    booking = get_visible(visible_bookings(current_actor()), Booking, booking_id)
    now = current_clock().now()
    try:
        join_pass = issue_join_pass(booking_id, current_actor(), current_user, now)
    except Conflict as closed:
        return holding_page(booking, str(closed))
    return call_page(join_pass, booking)


@bp.get("/guest/<secret>")
def guest(secret: str) -> Any:
    """The call page for a guest invited by link (no account); the holding page outside the call's span."""
    now = current_clock().now()
    booking = guest_by_link(secret).booking
    try:
        join_pass = issue_guest_pass(secret, now)
    except Conflict as closed:
        response = holding_page(booking, str(closed))
    else:
        response = call_page(join_pass, booking)
    response.headers["Referrer-Policy"] = "no-referrer"  # the secret is in this page's address
    return response


def holding_page(booking: Booking, reason: str) -> Response:
    """Outside the call's span: when it opens, or that it is over."""
    opens_at, _closes = valid_span(booking.starts_at, booking.ends_at)
    opens_later = current_clock().now() < opens_at and booking.state in JOINABLE_STATES
    return make_response(
        render_template("calls/join.html", booking=booking, opens_at=opens_at, reason=reason, opens_later=opens_later)
    )


def call_page(join_pass: JoinPass, booking: Booking) -> Response:
    """The call page with its configuration, Content-Security-Policy and Permissions-Policy."""
    config = call_config(join_pass, booking)
    response = make_response(render_template("calls/call.html", booking=booking, config=config))
    response.headers["Content-Security-Policy"] = call_page_policy(join_pass.signaling_url)
    response.headers["Permissions-Policy"] = CALL_PERMISSIONS_POLICY
    return response


def call_page_policy(signaling_url: str) -> str:
    """The portal's Content-Security-Policy plus what a call needs: the signalling WebSocket
    (its scheme, host and port only) and local media streams."""
    parts = urlsplit(signaling_url)
    if parts.scheme not in ("ws", "wss") or not parts.netloc:
        raise ValueError(f"the signalling URL must be ws:// or wss://, not {signaling_url!r}")
    origin = f"{parts.scheme}://{parts.netloc}"
    return f"{CONTENT_SECURITY_POLICY}; connect-src 'self' {origin}; media-src 'self' blob: mediastream:"


def call_config(join_pass: JoinPass, booking: Booking) -> dict[str, Any]:
    """Everything the call script needs, as JSON: the ticket, where to present it, the ICE
    servers, who I am, and every sentence it may show (translated here)."""
    ticket = join_pass.ticket
    config: dict[str, Any] = {
        "ticket": join_pass.token,
        "signaling_url": join_pass.signaling_url,
        "ice_servers": join_pass.ice_servers,
        "me": {"id": ticket.participant, "role": ticket.role.value, "name": ticket.display_name},
        "ends_at": booking.ends_at.astimezone(UTC).isoformat().replace("+00:00", "Z"),
        "strings": interface_strings(),
    }
    booking_url = _booking_url(ticket.role, booking)
    if booking_url:
        config["booking_url"] = booking_url
    return config


def _booking_url(role: CallRole, booking: Booking) -> str | None:
    if role is CallRole.OFFICER:
        return url_for("bookings.detail", booking_id=booking.id)
    if role is CallRole.INTERPRETER:
        return url_for("interpreter.jobs", _anchor=f"job-{booking.code}")
    return None


def interface_strings() -> dict[str, str]:
    """The sentences the call script shows. Placeholders in braces ({name}, {rtt}...) are filled
    in by the script and must stay as they are in translations."""
    return {
        # the call's state, in the status bar
        "state_joining": _("Joining the call…"),
        "state_waiting": _("Waiting for the other side…"),
        "state_connecting": _("Connecting…"),
        "state_connected": _("Connected"),
        "state_poor": _("Poor connection: the picture or sound may break up."),
        "state_reconnecting": _("Reconnecting…"),
        "state_reconnecting_service": _("Reconnecting to the call service… The call goes on meanwhile."),
        "state_service_unreachable": _("The call service cannot be reached yet; trying again…"),
        "state_ended": _("The call has ended."),
        # one participant's tile
        "peer_connecting": _("Connecting…"),
        "peer_connected": _("Connected"),
        "peer_poor": _("Connected, unstable"),
        "peer_reconnecting": _("Reconnecting…"),
        "role_officer": _("Officer"),
        "role_interpreter": _("Interpreter"),
        "role_guest": _("Guest"),
        "you": _("You"),
        "quality_unknown": _("Measuring the connection…"),
        "quality_good": _("Good connection"),
        "quality_fair": _("Fair connection"),
        "quality_poor": _("Poor connection"),
        "stats_rtt": _("{rtt} ms delay"),
        "stats_loss": _("{loss} % lost"),
        "stats_bitrate": _("{kbps} kbit/s"),
        # things that happen
        "peer_joined": _("{name} joined the call."),
        "peer_away": _("{name} lost the connection and is reconnecting…"),
        "peer_left": _("{name} left the call."),
        "peer_gone": _("{name} left the call (connection lost)."),
        "peer_replaced": _("{name} moved to another tab or device."),
        "camera_failed": _("Your camera could not be started, so you take part with sound only."),
        "media_failed": _(
            "Your camera and microphone could not be started. Allow them in your browser's settings "
            "and reload the page; until then the others cannot see or hear you."
        ),
        "device_failed": _("That device could not be started; the previous one is still in use."),
        "sound_blocked": _("Your browser held back the sound of the call."),
        # how it ends
        "left": _("You left the call."),
        "replaced": _("You joined this call from another tab or device; this page is no longer in the call."),
        "call_over": _("The call is over."),
        "ticket_refused": _("This join link no longer works; reload the page to get a new one."),
        "refused": _("The call service could not accept this page's messages. Reload the page to join again."),
        "too_many": _("This page sent too many messages to the call service. Reload the page to join again."),
        "join_timeout": _("The call service did not hear from this page in time. Reload the page to join again."),
        "room_full": _("This call already has four participants, the most a browser call can carry."),
        "ended_by_service": _("The call service ended the connection. Reload the page to join again."),
        # the secure connection indicator
        "secure": _("Encrypted connection (DTLS-SRTP)"),
        "not_secure": _("Not yet secured"),
        # devices
        "no_camera": _("No camera"),
        "no_microphone": _("No microphone"),
        "camera_n": _("Camera {n}"),
        "microphone_n": _("Microphone {n}"),
    }
