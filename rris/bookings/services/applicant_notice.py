"""The applicant's notice: which text to read to the applicant, and recording that it was given.

The English source is written here, through gettext, so the officer reads it in their own
interface language beside the applicant's text; the applicant's texts are the files of
`rris/bookings/notices/`, translated from it (`rris.bookings.integrations.notice_texts`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from flask_babel import force_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from rris.access.domain.permissions import Actor, Capability, can
from rris.access.queries.scoping import get_visible, visible_bookings
from rris.bookings.domain.applicant_notice import (
    NOTICE_GIVEN,
    SOURCE_LANGUAGE,
    Direction,
    Notice,
    NoticePoint,
    NoticeText,
    may_be_given,
    notice_language,
    same_reading,
)
from rris.bookings.integrations.notice_texts import translated_notices
from rris.bookings.models.bookings import Booking, BookingEvent
from rris.bookings.services.booking_events import record_event
from rris.common.domain.errors import Conflict, Forbidden
from rris.common.services.transactions import begin_write, lock_booking
from rris.extensions import db

_SOURCE_TITLE = _l("Information about your interpreter")
_SOURCE: dict[NoticePoint, str] = {
    NoticePoint.ROLE: _l(
        "An interpreter takes part in this interview from another place, by video or telephone. "
        "Their only task is to say in your language what the officer says, and in the officer's "
        "language what you say."
    ),
    NoticePoint.NEUTRALITY: _l(
        "The interpreter is neutral, decides nothing about your application and must keep everything "
        "said here confidential."
    ),
    NoticePoint.OBJECTION: _l(
        "If you do not want this interpreter, you may object: tell the officer, and your objection will be recorded."
    ),
    NoticePoint.CONNECTION: _l(
        "If the connection fails, the interview stops until the interpreter is back by video or "
        "telephone; if you missed anything, ask for it to be repeated."
    ),
}


@dataclass(frozen=True)
class NoticeChoice:
    """The notice to read to the applicant of a booking, and how it was chosen."""

    applicant_language: str  # the booking's
    notice: Notice
    fallback: bool  # no text in the applicant's language: the English is shown instead

    @property
    def written_form(self) -> bool:
        """True when the text is the written form of the applicant's spoken variety (Levantine -> Standard Arabic)."""
        return not self.fallback and self.notice.language != self.applicant_language


@dataclass(frozen=True)
class NoticeGiven:
    """The history line that records the reading; `repeated` when it was a second press of the same reading."""

    event: BookingEvent
    repeated: bool


def source_text() -> NoticeText:
    """The notice as written in English, in the current interface language (the officer's copy)."""
    return NoticeText(title=str(_SOURCE_TITLE), paragraphs=tuple(str(_SOURCE[point]) for point in NoticePoint))


def english_notice() -> Notice:
    """The English notice, whatever the interface language: for English speakers and as the fallback."""
    with force_locale("en"):
        text = source_text()
    return Notice(language=SOURCE_LANGUAGE, tag="en", direction=Direction.LTR, text=text)


def notices() -> dict[str, Notice]:
    """Every notice there is, by ISO 639-3 code, the English source included."""
    return {SOURCE_LANGUAGE: english_notice(), **translated_notices()}


def notice_for(applicant_language: str) -> NoticeChoice:
    """The notice for an applicant who speaks `applicant_language`; the English when there is none."""
    available = notices()
    language = notice_language(applicant_language, available)
    if language is None:
        return NoticeChoice(applicant_language, available[SOURCE_LANGUAGE], fallback=True)
    return NoticeChoice(applicant_language, available[language], fallback=False)


def readings(booking: Booking) -> list[BookingEvent]:
    """The times the notice of `booking` was marked given, oldest first."""
    return [event for event in booking.events if event.action == NOTICE_GIVEN]


def mark_notice_given(booking_id: int, actor: Actor, now: datetime) -> NoticeGiven:
    """Record in the booking's history that the officer gave the applicant the notice: which text,
    when, by which account; nothing about the applicant.

    A later reading is recorded again (the interpreter changed, the interview resumed, the applicant
    asked); the same officer pressing again within `SAME_READING` is the same reading, kept once.
    """
    if not can(actor, Capability.BOOK_INTERPRETERS):
        raise Forbidden(_("Your role does not allow this."))
    get_visible(visible_bookings(actor, now), Booking, booking_id)  # NotVisible outside the actor's reach
    begin_write()
    booking = lock_booking(booking_id)
    if not may_be_given(booking.state):
        db.session.rollback()
        raise Conflict(_("The notice is given once an interpreter is confirmed and before the session is over."))
    language = notice_for(booking.applicant_language).notice.language
    earlier = db.session.scalars(
        select(BookingEvent)
        .where(
            BookingEvent.booking_id == booking.id,
            BookingEvent.action == NOTICE_GIVEN,
            BookingEvent.actor_id == actor.user_id,
        )
        .order_by(BookingEvent.id.desc())
        .limit(1)
    ).first()
    if earlier is not None and same_reading(earlier.at, earlier.note, language, now):
        db.session.commit()
        return NoticeGiven(earlier, repeated=True)
    event = record_event(booking, NOTICE_GIVEN, now, actor.user_id, note=language)
    db.session.commit()
    return NoticeGiven(event, repeated=False)
