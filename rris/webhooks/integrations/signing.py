"""The Standard Webhooks headers of one message, signed by the kept library `standardwebhooks`."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from math import floor

from standardwebhooks.webhooks import Webhook


def signed_headers(message_id: str, now: datetime, body: str, secrets: Sequence[str]) -> dict[str, str]:
    """`webhook-id`, `webhook-timestamp` and `webhook-signature` (one `v1,...` per secret, separated
    by spaces as the specification allows while a rotation's overlap lasts)."""
    if not secrets:
        raise ValueError("a message is signed with at least one secret")
    signatures = " ".join(Webhook(secret).sign(message_id, now, body) for secret in secrets)
    return {
        "webhook-id": message_id,
        "webhook-timestamp": str(floor(now.timestamp())),
        "webhook-signature": signatures,
    }
