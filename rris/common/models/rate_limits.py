"""Counters of the API's rate limits, shared by every portal worker through the database."""

from __future__ import annotations

from sqlalchemy import Double, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from rris.extensions import Model

KEY_DIGEST_CHARS = 64  # SHA-256 in hex: the limiter's key names a token or a client address


class RateLimitWindow(Model):
    """How many requests one key made in its current fixed window, and when that window ends."""

    __tablename__ = "rate_limit_windows"
    __table_args__ = (Index("ix_rate_limit_windows_expires_at", "expires_at"),)

    key: Mapped[str] = mapped_column(String(KEY_DIGEST_CHARS), primary_key=True)
    hits: Mapped[int] = mapped_column(Integer)
    # Seconds since the epoch, as the `limits` library speaks time; compared in SQL on both databases.
    expires_at: Mapped[float] = mapped_column(Double)
