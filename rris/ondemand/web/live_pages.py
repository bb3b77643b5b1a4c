"""What the live on-demand pages share: the signalling address, presence tickets, the policy and
the Content-Security-Policy that lets a page reach the signalling service."""

from __future__ import annotations

from typing import Any

from flask import Response, jsonify

from rris.calls.web.calls import call_page_policy
from rris.common.web.page_locale import page_locale
from rris.context import current_clock, current_settings
from rris.ondemand.domain.policy import OnDemandPolicy
from rris.ondemand.domain.presence_tickets import PresenceTicket, sign_presence_ticket

# The signalling service's live on-demand connection, beside the calls' `/calls/ws`.
ONDEMAND_WS_PATH = "/ondemand/ws"


def current_policy() -> OnDemandPolicy:
    """The on-demand policy of the running settings."""
    return OnDemandPolicy.from_settings(current_settings())


def live_url() -> str:
    """Where a page opens its live connection."""
    return current_settings().signaling_public_url + ONDEMAND_WS_PATH


def interpreter_ticket(interpreter_id: int) -> str:
    """A presence ticket for her "available now" page, in the page's language."""
    ticket = PresenceTicket.for_interpreter(interpreter_id, page_locale().identifier, current_clock().now())
    return sign_presence_ticket(ticket, current_settings().secret_key)


def officer_ticket(user_id: int, call_id: int) -> str:
    """A presence ticket for an officer's page following one request."""
    ticket = PresenceTicket.for_officer(user_id, call_id, page_locale().identifier, current_clock().now())
    return sign_presence_ticket(ticket, current_settings().secret_key)


def live_config(ticket: str, ticket_url: str, **more: Any) -> dict[str, Any]:
    """What a live page's script needs: where to connect, its ticket, and where to get a fresh one."""
    return {
        "live_url": live_url(),
        "ticket": ticket,
        "ticket_url": ticket_url,
        "heartbeat_seconds": current_settings().presence_heartbeat_seconds,
        **more,
    }


def ticket_answer(ticket: str) -> Response:
    """A fresh ticket as JSON, for a page whose connection dropped (never cached)."""
    response = jsonify(ticket=ticket, live_url=live_url())
    response.headers["Cache-Control"] = "no-store"
    return response


def live_page(page: str) -> Response:
    """A rendered live page with the policy that lets it reach the signalling service."""
    response = Response(page, mimetype="text/html")
    response.headers["Content-Security-Policy"] = call_page_policy(live_url())
    return response
