"""ICE servers for a call: our own STUN, and TURN with time-limited credentials.

TURN credentials follow coturn's REST scheme (`use-auth-secret`): the username is
"<expiry as Unix seconds>:<participant>" and the password is base64(HMAC-SHA1(secret, username)).
coturn recomputes the password from its `static-auth-secret` and refuses a username whose
expiry has passed, so nothing is stored and a leaked credential dies with the call.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from datetime import datetime
from typing import Any


def turn_credentials(secret: str, participant: str, expires_at: datetime) -> tuple[str, str]:
    """(username, password) that coturn accepts for `participant` until `expires_at`."""
    username = f"{int(expires_at.timestamp())}:{participant}"
    digest = hmac.new(secret.encode(), username.encode(), hashlib.sha1).digest()
    return username, base64.b64encode(digest).decode()


def ice_servers(
    stun_urls: tuple[str, ...],
    turn_urls: tuple[str, ...],
    turn_secret: str,
    participant: str,
    expires_at: datetime,
) -> list[dict[str, Any]]:
    """The `iceServers` list of an RTCConfiguration, as JSON-ready dicts (empty: host candidates only)."""
    servers: list[dict[str, Any]] = []
    if stun_urls:
        servers.append({"urls": list(stun_urls)})
    if turn_urls:
        username, credential = turn_credentials(turn_secret, participant, expires_at)
        servers.append({"urls": list(turn_urls), "username": username, "credential": credential})
    return servers
