"""Where participants join a session's call. The links in invitations and reminders point here.

The page is a template plus plain JavaScript (static/js/call.js): the view checks who may join,
issues a join pass and hands it to the script as a JSON block; media then flows peer to peer.
Without Twilio, the simulated phone page (static/js/phone-simulator.js) plays a participant's
telephone in the same call.
"""

from __future__ import annotations

from datetime import UTC
from typing import Any
from urllib.parse import urlsplit

from flask import Blueprint, Response, abort, make_response, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from rris.access.queries.scoping import get_visible, visible_bookings
from rris.accounts.models.accounts import User
from rris.bookings.models.bookings import Booking
from rris.calls.domain.call_tickets import valid_span
from rris.calls.services.call_access import JOINABLE_STATES, CallSetup, JoinPass, issue_join_pass
from rris.calls.services.call_guests import guest_by_link, issue_guest_pass
from rris.common.domain.errors import Conflict
from rris.common.web.authentication import current_actor
from rris.common.web.security_headers import CONTENT_SECURITY_POLICY
from rris.context import current_clock, current_settings
from rris.enums import CallRole
from rris.phone.services.phone_legs import STREAM_PATH, dial_out_option

bp = Blueprint("calls", __name__, url_prefix="/calls")

# The call page may use the camera and microphone, here only (never in frames).
CALL_PERMISSIONS_POLICY = "camera=(self), microphone=(self)"
# The simulated phone needs the microphone only.
PHONE_SIMULATOR_PERMISSIONS_POLICY = "camera=(), microphone=(self)"
PHONE_TAIL_DIGITS = 4


@bp.get("/<id:booking_id>")
@login_required
def join(booking_id: int) -> Any:
    """The call page for a participant while the call is open; the holding page otherwise."""
    now, setup = current_clock().now(), CallSetup.from_settings(current_settings())
    booking = get_visible(visible_bookings(current_actor(), now), Booking, booking_id)
    try:
        join_pass = issue_join_pass(booking_id, current_actor(), current_user, now, setup)
    except Conflict as closed:
        return holding_page(booking, str(closed))
    return call_page(join_pass, booking, phone=phone_offer(current_user))


@bp.get("/guest/<secret>")
def guest(secret: str) -> Any:
    """The call page for a guest invited by link (no account); the holding page outside the call's span."""
    now = current_clock().now()
    booking = guest_by_link(secret).booking
    try:
        join_pass = issue_guest_pass(secret, now, CallSetup.from_settings(current_settings()))
    except Conflict as closed:
        response = holding_page(booking, str(closed))
    else:
        response = call_page(join_pass, booking)
    response.headers["Referrer-Policy"] = "no-referrer"  # the secret is in this page's address
    return response


@bp.get("/phone-simulator/<id:leg_id>")
def phone_simulator(leg_id: int) -> Any:
    """The simulated phone of a call's telephone leg (offline only: with Twilio, real phones ring).
    The leg ticket travels in the address's fragment, which never reaches a server, so the page
    knows nothing of the call it joins and says nothing about it; `leg_id` only names the page.
    Like Twilio, it opens the signalling service's Media Streams WebSocket."""
    settings = current_settings()
    if settings.twilio_configured:
        abort(404)
    stream_url = settings.signaling_public_url + STREAM_PATH
    config = {"stream_url": stream_url}
    response = make_response(
        render_template("calls/phone_simulator.html", config=config, script_strings=simulator_strings())
    )
    response.headers["Content-Security-Policy"] = call_page_policy(stream_url)
    response.headers["Permissions-Policy"] = PHONE_SIMULATOR_PERMISSIONS_POLICY
    response.headers["Referrer-Policy"] = "no-referrer"
    return response


def holding_page(booking: Booking, reason: str) -> Response:
    """Outside the call's span: when it opens, or that it is over."""
    opens_at, _closes = valid_span(booking.starts_at, booking.ends_at)
    opens_later = current_clock().now() < opens_at and booking.state in JOINABLE_STATES
    return make_response(
        render_template("calls/join.html", booking=booking, opens_at=opens_at, reason=reason, opens_later=opens_later)
    )


def call_page(join_pass: JoinPass, booking: Booking, phone: dict[str, Any] | None = None) -> Response:
    """The call page with its configuration, Content-Security-Policy and Permissions-Policy.
    `phone` offers a call to the person's own phone (people with an account; guests have none)."""
    config = call_config(join_pass, booking, phone)
    page = render_template("calls/call.html", booking=booking, config=config, script_strings=interface_strings())
    response = make_response(page)
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


def call_config(join_pass: JoinPass, booking: Booking, phone: dict[str, Any] | None = None) -> dict[str, Any]:
    """Everything the call script needs, as JSON: the ticket, where to present it, the ICE
    servers, who I am and the telephone fallback. Its sentences are the page's strings block."""
    ticket = join_pass.ticket
    config: dict[str, Any] = {
        "ticket": join_pass.token,
        "signaling_url": join_pass.signaling_url,
        "ice_servers": join_pass.ice_servers,
        "me": {"id": ticket.participant.encode(), "role": ticket.role.value, "name": ticket.display_name},
        "ends_at": booking.ends_at.astimezone(UTC).isoformat().replace("+00:00", "Z"),
    }
    booking_url = _booking_url(ticket.role, booking)
    if booking_url:
        config["booking_url"] = booking_url
    if phone is not None:
        config["phone"] = phone
    dial_in = _dial_in(booking)
    if dial_in:
        config["dial_in"] = dial_in
    return config


def phone_offer(user: User) -> dict[str, Any]:
    """Whether "Call me on my phone" can ring this person (a verified number in an allowed
    country), the number's last digits only; otherwise why not, and where to change that."""
    option = dial_out_option(user)
    tail = option.number_tail[-PHONE_TAIL_DIGITS:] if option.number_tail else None
    if option.available:
        return {"available": True, "number_tail": tail, "reason": None}
    return {
        "available": False,
        "number_tail": tail,
        "reason": option.reason,
        "code": option.code,
        "profile_url": url_for("account.profile", _anchor="phone"),
    }


def _dial_in(booking: Booking) -> dict[str, str] | None:
    """The number to dial and the booking's PIN, for someone who cannot use a browser at all."""
    number = current_settings().dial_in_number
    if not number or not booking.dial_in_pin:
        return None
    return {"number": number, "pin": booking.dial_in_pin}


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
        "state_service_unavailable": _(
            "Calls cannot be started just now: part of the call service is unavailable. Trying again…"
        ),
        "state_service_unavailable_in_call": _(
            "Part of the call service is unavailable; the call goes on meanwhile. Trying again…"
        ),
        "state_ended": _("The call has ended."),
        # one participant's tile
        "peer_connecting": _("Connecting…"),
        "peer_connected": _("Connected"),
        "peer_poor": _("Connected, unstable"),
        "peer_reconnecting": _("Reconnecting…"),
        "role_officer": _("Officer"),
        "role_interpreter": _("Interpreter"),
        "role_guest": _("Guest"),
        # an interpreter in sentences ("{name} joined the call"): by role and the name they chose
        "interpreter_named": _("Interpreter · {name}"),
        "you": _("You"),
        "quality_unknown": _("Measuring the connection…"),
        "quality_good": _("Good connection"),
        "quality_fair": _("Fair connection"),
        "quality_poor": _("Poor connection"),
        "stats_rtt": _("{rtt} ms delay"),
        "stats_loss": _("loss {loss} %"),
        "stats_bitrate": _("{kbps} kbit/s"),
        # things that happen
        "peer_joined": _("{name} joined the call."),
        "peer_away": _("{name} lost the connection and is reconnecting…"),
        "peer_left": _("{name} left the call."),
        "peer_gone": _("{name} left the call (connection lost)."),
        "peer_replaced": _("{name} moved to another tab or device."),
        "peer_removed": _("{name} no longer takes part in this session and was disconnected."),
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
        "removed": _("You no longer take part in this session, so this page has left its call."),
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
        # the telephone fallback ({tail}: the last digits of the person's verified number)
        "phone_dialing": _("Calling your phone (…{tail})…"),
        "phone_on_phone": _("On the phone"),
        "phone_hanging_up": _("Hanging up the phone…"),
        "phone_ended": _("The phone call has ended."),
        "phone_no_answer": _("Your phone did not answer."),
        "phone_no_reply": _("The call service did not answer. Try again."),
        "phone_refused": _("Your phone cannot be called now."),
        "phone_refused_no_verified_phone": _(
            "Your mobile number is not confirmed, so it cannot be called. Confirm it on your profile."
        ),
        "phone_refused_country_not_allowed": _(
            "RRIS may not call numbers in your phone's country: it is not on the coordinators' list."
        ),
        "phone_refused_number_type": _(
            "RRIS calls only mobile and landline numbers, never premium-rate or shared-cost ones, "
            "and your number is not one of them. Check it on your profile."
        ),
        # after a refusal, when the service has a dial-in line ({number}, {pin}: the booking's)
        "phone_dial_in_instead": _("Instead, call {number} from any phone and type the PIN {pin}."),
        "phone_refused_booking_cap": _("This session has used all the phone calls it may make."),
        "phone_refused_daily_cap": _("The service has made all the phone calls it may today. Try again later."),
        "phone_refused_already_on_phone": _("Your phone is already in this call."),
        "phone_refused_call_not_open": _("The call is not open, so your phone cannot be called."),
        "phone_refused_not_a_participant": _("Only the session's officers and interpreters can be called."),
        "phone_refused_twilio_refused": _(
            "The telephone service would not call your number. Check it on your profile."
        ),
        "phone_refused_twilio_unavailable": _("The telephone service cannot be reached just now. Try again shortly."),
        "phone_refused_busy": _("Your last request for your phone is still being handled."),
        "phone_refused_unavailable": _("Telephone calls are not available in this call."),
        "phone_simulator_opened": _("A simulated phone opened in a new window: speak and listen there."),
        "phone_simulator_blocked": _("Your browser blocked the simulated phone's window. Open it with the link."),
        "phone_microphone_off": _(
            "Your browser microphone is off while you are on the phone, so the others do not hear you twice."
        ),
        "phone_microphone_back": _("You are off the phone: your browser microphone is on again."),
        "phone_tile": _("On the phone"),
        "phone_tile_yours": _("Your phone"),
    }


def simulator_strings() -> dict[str, str]:
    """The sentences the simulated phone page shows."""
    return {
        "connecting": _("Connecting the simulated phone…"),
        "on_call": _("On the call: the others hear this microphone, and you hear them here."),
        "hung_up": _("You hung up. You can close this window."),
        "ended_by_call": _("The phone call has ended. You can close this window."),
        "connect_failed": _("The call service did not take this phone. Ask for your phone again on the call page."),
        "incomplete_link": _("This simulated phone's link is incomplete. Ask for your phone again on the call page."),
        "audio_failed": _(
            "This browser cannot play the phone here: it needs a secure address (https, or this computer's own)."
        ),
        "microphone_failed": _("The microphone could not be started, so the call hears silence from this phone."),
        "sound_blocked": _("Your browser held back the sound: press “Turn on the sound”."),
    }
