"""TURN credentials follow coturn's REST scheme, and only our own servers are listed."""

from __future__ import annotations

import base64
import hashlib
import hmac
from datetime import UTC, datetime

from rris.calls.domain.ice_servers import ice_servers, turn_credentials

EXPIRY = datetime(2026, 1, 14, 10, 30, tzinfo=UTC)


def test_turn_username_carries_the_expiry_and_the_password_is_the_hmac_coturn_computes() -> None:
    username, password = turn_credentials("a shared secret of coturn", "user-7", EXPIRY)
    assert username == f"{int(EXPIRY.timestamp())}:user-7"
    expected = hmac.new(b"a shared secret of coturn", username.encode(), hashlib.sha1).digest()
    assert base64.b64decode(password) == expected


def test_no_configuration_means_no_servers_at_all_never_a_public_default() -> None:
    assert ice_servers((), (), "", "user-7", EXPIRY) == []


def test_stun_and_turn_are_listed_with_credentials_only_on_turn() -> None:
    servers = ice_servers(
        ("stun:turn.rris.example:3478",),
        ("turn:turn.rris.example:3478?transport=udp", "turns:turn.rris.example:5349"),
        "a shared secret of coturn",
        "user-7",
        EXPIRY,
    )
    assert servers[0] == {"urls": ["stun:turn.rris.example:3478"]}
    assert servers[1]["urls"] == ["turn:turn.rris.example:3478?transport=udp", "turns:turn.rris.example:5349"]
    assert (servers[1]["username"], servers[1]["credential"]) == turn_credentials(
        "a shared secret of coturn", "user-7", EXPIRY
    )
