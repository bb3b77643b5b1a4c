"""Retention: personal data is purged when it has served its purpose (the README's data map).

Of a session that ended more than RRIS_RETENTION_DAYS ago: call attendance, guests invited
into the call, finished messages, and every free text people wrote about it (notes to the
interpreter, the cancellation reason, decline reasons, history notes) go; phone legs keep only
their modality, status and duration; time off keeps its period but not its reason. Sign-in
attempts, ended browser sessions and revoked or expired API tokens go after
RRIS_SIGN_IN_RECORDS_DAYS, the audit trail's entries after RRIS_AUDIT_DAYS (the trail records
what it dropped, so its hash chain still checks); verification codes, idempotency records, wrong
dial-in PINs and ended rate-limit windows once they can no longer matter. What billing and
reports need (the booking, its assignments, history, outcome and the call summary) stays.
"""

from __future__ import annotations

import logging
from dataclasses import astuple, dataclass
from datetime import datetime, timedelta

from sqlalchemy import and_, delete, exists, or_, select, update

from rris.accounts.models.accounts import ApiToken, LoginAttempt, UserSession
from rris.accounts.models.second_factor import SecondFactorAttempt
from rris.audit.services.chain_check import prune_before
from rris.bookings.models.bookings import Booking, BookingEvent, IdempotencyRecord, Offer
from rris.calls.models.call_guests import CallGuest
from rris.calls.models.calls import CallAttendance
from rris.calls.services.call_records import summarise_before_purge
from rris.common.services.rate_limit_storage import purge_ended_windows
from rris.common.services.transactions import begin_write, rows_changed
from rris.enums import NotificationState
from rris.extensions import db
from rris.notifications.models.notifications import Notification
from rris.phone.models.phone_legs import DialInFailure, PhoneLeg
from rris.phone.models.phone_verification import PhoneVerification
from rris.phone.services.dial_in import PIN_WINDOW
from rris.pool.models.interpreters import TimeOff
from rris.retention.domain.retention import Cutoffs, RetentionPolicy, cutoffs
from rris.settings import Settings
from rris.webhooks.domain.events import DeliveryState
from rris.webhooks.models.webhooks import WebhookAttempt, WebhookDelivery, WebhookEvent

log = logging.getLogger(__name__)

_FINISHED = (
    NotificationState.SENT,
    NotificationState.SKIPPED,
    NotificationState.FAILED,
    NotificationState.UNCERTAIN,
)


@dataclass(frozen=True)
class PurgeReport:
    """How many records each purge removed or blanked."""

    call_records: int = 0
    notes: int = 0
    messages: int = 0
    phone_codes: int = 0
    free_texts: int = 0
    call_guests: int = 0
    time_off_reasons: int = 0
    login_attempts: int = 0
    second_factor_attempts: int = 0
    user_sessions: int = 0
    api_tokens: int = 0
    audit_entries: int = 0
    idempotency_records: int = 0
    dial_in_failures: int = 0
    rate_limit_windows: int = 0
    webhook_events: int = 0

    @property
    def total(self) -> int:
        """All records touched."""
        return sum(astuple(self))


def retention_policy(settings: Settings) -> RetentionPolicy:
    """The periods from settings."""
    return RetentionPolicy(
        session_days=settings.retention_days,
        sign_in_days=settings.sign_in_records_days,
        audit_days=settings.audit_days,
        login_window=timedelta(minutes=settings.login_window_minutes),
        session_idle=settings.session_idle,
        dial_in_window=PIN_WINDOW,
    )


def purge_expired(now: datetime, policy: RetentionPolicy) -> PurgeReport:
    """Remove or blank what is past its period in one transaction; sessions count from their end."""
    cut = cutoffs(now, policy)
    begin_write()
    report = PurgeReport(
        **_purge_sessions(cut, now),
        **_purge_accounts(cut, now),
        rate_limit_windows=purge_ended_windows(now.timestamp()),
    )
    db.session.commit()
    if report.total:
        log.info("retention: purged %s", report)
    return report


def _purge_sessions(cut: Cutoffs, now: datetime) -> dict[str, int]:
    """What a session left behind, once it ended more than the retention period ago."""
    ended_before = select(Booking.id).where(Booking.ends_at < cut.session_ended)
    of_ended = Booking.id.in_(ended_before)
    # The delivered time outlives the attendances it is computed from (their state changes cascade).
    summarise_before_purge(ended_before, now)
    calls = rows_changed(delete(CallAttendance).where(CallAttendance.booking_id.in_(ended_before)))
    # Phone legs stay for the reports (modality, duration) but lose who and which number.
    rows_changed(
        update(PhoneLeg)
        .where(PhoneLeg.booking_id.in_(ended_before), PhoneLeg.number_tail != "")
        .values(number_tail="", display_name="", user_id=None, person_participant=None)
    )
    notes = rows_changed(update(Booking).where(of_ended, Booking.notes.isnot(None)).values(notes=None))
    free_texts = (
        rows_changed(update(Booking).where(of_ended, Booking.cancel_reason.isnot(None)).values(cancel_reason=None))
        + rows_changed(update(Booking).where(of_ended, Booking.move_note.isnot(None)).values(move_note=None))
        + rows_changed(
            update(Offer)
            .where(Offer.booking_id.in_(ended_before), Offer.decline_reason.isnot(None))
            .values(decline_reason=None)
        )
        + rows_changed(
            update(BookingEvent)
            .where(BookingEvent.booking_id.in_(ended_before), BookingEvent.note.isnot(None))
            .values(note=None)
        )
    )
    return {
        "call_records": calls,
        "notes": notes,
        "free_texts": free_texts,
        "call_guests": rows_changed(delete(CallGuest).where(CallGuest.booking_id.in_(ended_before))),
        "messages": rows_changed(
            delete(Notification).where(Notification.state.in_(_FINISHED), Notification.created_at < cut.session_ended)
        ),
        "webhook_events": _purge_webhooks(cut.session_ended),
        # The period stays (utilisation counts the hours offered); why they were away does not.
        "time_off_reasons": rows_changed(
            update(TimeOff).where(TimeOff.ends_at < cut.session_ended, TimeOff.reason.isnot(None)).values(reason=None)
        ),
    }


def _purge_webhooks(before: datetime) -> int:
    """Webhook events (their bodies carry the case reference) told before `before` and no longer on
    their way, with their deliveries and attempts."""
    on_the_way = exists().where(
        WebhookDelivery.event_id == WebhookEvent.id,
        WebhookDelivery.state.in_((DeliveryState.PENDING, DeliveryState.SENDING)),
    )
    old = select(WebhookEvent.id).where(WebhookEvent.occurred_at < before, ~on_the_way)
    deliveries = select(WebhookDelivery.id).where(WebhookDelivery.event_id.in_(old))
    rows_changed(delete(WebhookAttempt).where(WebhookAttempt.delivery_id.in_(deliveries)))
    rows_changed(delete(WebhookDelivery).where(WebhookDelivery.event_id.in_(old)))
    return rows_changed(delete(WebhookEvent).where(WebhookEvent.id.in_(old)))


def _purge_accounts(cut: Cutoffs, now: datetime) -> dict[str, int]:
    """Sign-in and audit records past their periods, and short-lived records past their use."""
    ended_session = or_(
        UserSession.expires_at < cut.sign_in,
        UserSession.revoked_at < cut.sign_in,
        UserSession.last_seen_at < cut.idle_seen,
    )
    dead_token = or_(
        ApiToken.revoked_at < cut.sign_in, and_(ApiToken.expires_at.isnot(None), ApiToken.expires_at < cut.sign_in)
    )
    return {
        "login_attempts": rows_changed(delete(LoginAttempt).where(LoginAttempt.attempted_at < cut.sign_in)),
        "second_factor_attempts": rows_changed(
            delete(SecondFactorAttempt).where(SecondFactorAttempt.attempted_at < cut.sign_in)
        ),
        "user_sessions": rows_changed(delete(UserSession).where(ended_session)),
        "api_tokens": rows_changed(delete(ApiToken).where(dead_token)),
        "audit_entries": prune_before(cut.audit, now),
        "phone_codes": rows_changed(
            delete(PhoneVerification).where(PhoneVerification.expires_at < cut.phone_code_expired)
        ),
        "idempotency_records": rows_changed(
            delete(IdempotencyRecord).where(IdempotencyRecord.created_at < cut.idempotency)
        ),
        "dial_in_failures": rows_changed(delete(DialInFailure).where(DialInFailure.at < cut.dial_in)),
    }
