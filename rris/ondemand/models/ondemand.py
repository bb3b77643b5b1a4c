"""Presence of interpreters, on-demand requests and the rings they make.

An on-demand session is a `Booking` with `on_demand` set (history, audit, webhooks, billing as for
any session); `OnDemandCall` adds its instants and where it stands; `OnDemandRing` is one
interpreter's page ringing for it. While answered, the call's interpreter holds an `Assignment`
(`rris.ondemand.domain.holds`), so the database refuses her a second call or job at that time.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Index, String, false, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from rris.bookings.models.bookings import Booking
from rris.common.models.types import UTCDateTime, enum_type, unique_while_null
from rris.extensions import Model
from rris.ondemand.domain.states import CallState, RingChannel, RingOutcome
from rris.phone.models.phone_legs import PhoneLeg
from rris.pool.models.interpreters import InterpreterProfile


class InterpreterPresence(Model):
    """Whether an interpreter said "available now", and when her live page last beat."""

    __tablename__ = "interpreter_presence"

    interpreter_id: Mapped[int] = mapped_column(
        ForeignKey("interpreter_profiles.id", ondelete="CASCADE"), primary_key=True
    )
    available: Mapped[bool] = mapped_column(Boolean, default=False)
    changed_at: Mapped[datetime] = mapped_column(UTCDateTime())
    last_heartbeat_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), index=True)
    # She agreed to have her verified phone called for requests nobody answered in time.
    phone_on_call: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())


_LIVE = text("state IN ('answered', 'connected')")  # LIVE_STATES, as stored


class OnDemandCall(Model):
    """One officer's request for an interpreter now, with the instants reports need.

    `pair_key` ("pus:srp", codes sorted) names the queue the request waits in; arrival order is
    (requested_at, id).
    """

    __tablename__ = "on_demand_calls"
    __table_args__ = (
        Index("ix_on_demand_calls_queue", "pair_key", "state", "requested_at", "id"),
        # The scheduler looks for answered calls nobody joined every two seconds: only those rows.
        Index(
            "ix_on_demand_calls_answered",
            "answered_at",
            postgresql_where=text("state = 'answered'"),
            sqlite_where=text("state = 'answered'"),
        ),
        # Who is in a call now, read whenever a queue is served: only the live calls, not every call ever.
        Index("ix_on_demand_calls_live_interpreter", "interpreter_id", postgresql_where=_LIVE, sqlite_where=_LIVE),
        # The last answered requests of a queue, for its expected wait.
        Index("ix_on_demand_calls_queue_answers", "pair_key", "answered_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    booking_id: Mapped[int] = mapped_column(ForeignKey("bookings.id", ondelete="CASCADE"), unique=True)
    pair_key: Mapped[str] = mapped_column(String(16))
    state: Mapped[CallState] = mapped_column(enum_type(CallState))
    requested_at: Mapped[datetime] = mapped_column(UTCDateTime())
    first_ring_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    connected_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    abandoned_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    interpreter_id: Mapped[int | None] = mapped_column(ForeignKey("interpreter_profiles.id"))

    booking: Mapped[Booking] = relationship()
    interpreter: Mapped[InterpreterProfile | None] = relationship()
    rings: Mapped[list[OnDemandRing]] = relationship(
        back_populates="call", order_by="OnDemandRing.id", cascade="all, delete-orphan"
    )


class OnDemandRing(Model):
    """One interpreter's page (or, escalated, her phone: `phone_leg`) ringing for one request; an
    interpreter rings for one request at a time, on one channel."""

    __tablename__ = "on_demand_rings"
    __table_args__ = (unique_while_null("uq_on_demand_rings_live", "interpreter_id", null_column="ended_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    call_id: Mapped[int] = mapped_column(ForeignKey("on_demand_calls.id", ondelete="CASCADE"), index=True)
    interpreter_id: Mapped[int] = mapped_column(ForeignKey("interpreter_profiles.id"), index=True)
    rung_at: Mapped[datetime] = mapped_column(UTCDateTime())
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    outcome: Mapped[RingOutcome | None] = mapped_column(enum_type(RingOutcome))
    channel: Mapped[RingChannel] = mapped_column(
        enum_type(RingChannel), default=RingChannel.PAGE, server_default=RingChannel.PAGE.value
    )
    phone_leg_id: Mapped[int | None] = mapped_column(ForeignKey("phone_legs.id", ondelete="SET NULL"), unique=True)

    call: Mapped[OnDemandCall] = relationship(back_populates="rings")
    phone_leg: Mapped[PhoneLeg | None] = relationship()
