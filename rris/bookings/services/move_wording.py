"""Why a booking was moved, as each reader reads it: the reason chosen from the list in the
reader's language, and the mover's own words as they wrote them, quoted and introduced by who
gave them (free text cannot be translated: it is shown, never passed off as the reader's language)."""

from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from rris.bookings.models.bookings import Booking
from rris.common.services.wording import label
from rris.enums import MoveReason, Role

# The words' author by role: a sentence each, as the role's grammar differs from one language to another.
_GIVEN_BY: dict[Role | None, object] = {
    Role.CASEWORKER: _l("Reason given by the caseworker: “%(text)s”"),
    Role.FOCAL_POINT: _l("Reason given by the country focal point: “%(text)s”"),
    Role.COORDINATOR: _l("Reason given by the coordinator: “%(text)s”"),
    Role.ADMIN: _l("Reason given by the administrator: “%(text)s”"),
    None: _l("Reason given by the person who moved the session: “%(text)s”"),
}


def why_moved(booking: Booking, *, with_words: bool = True) -> list[str]:
    """The lines saying why the booking was last moved, in the current language; none when it
    never was or nothing was said. `with_words` False leaves out the mover's own words (a reader
    who may not see the case's notes)."""
    lines: list[str] = []
    if booking.move_reason is not None and booking.move_reason is not MoveReason.OTHER:
        lines.append(_("Reason for the move: %(reason)s", reason=label(booking.move_reason)))
    if with_words and booking.move_note:
        role = booking.moved_by.role if booking.moved_by is not None else None
        lines.append(str(_GIVEN_BY.get(role, _GIVEN_BY[None])) % {"text": booking.move_note})
    return lines
