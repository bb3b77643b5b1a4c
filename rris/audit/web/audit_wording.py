"""How the audit trail's codes read for people: actions and kinds of subject in the reader's language.

A code no one has worded yet reads as itself ("webhook_endpoint.rotated"): stable, searchable,
and still better than nothing.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from rris.common.services.wording import label
from rris.enums import Role

ACTION_LABELS = {
    "booking.read": _l("Opened the booking's details"),
    "booking.requested": _l("Booking requested"),
    "booking.offer": _l("Offers sent"),
    "booking.accept": _l("Offer accepted"),
    "booking.declined": _l("Offer declined"),
    "booking.offer_withdrawn": _l("Offer withdrawn"),
    "booking.assign": _l("Assigned by hand"),
    "booking.exhaust": _l("No interpreter left to ask"),
    "booking.reschedule": _l("Rescheduled"),
    "booking.reoffer": _l("Offered again"),
    "booking.cancel": _l("Booking cancelled"),
    "booking.start": _l("Session started"),
    "booking.complete": _l("Session completed"),
    "booking.mark_interpreter_no_show": _l("Marked: the interpreter did not come"),
    "booking.mark_applicant_no_show": _l("Marked: the applicant did not come"),
    "booking.mark_wrong_language": _l("Marked: wrong language"),
    "booking.mark_technical_failure": _l("Marked: technical failure"),
    "booking.conflict": _l("Conflict found"),
    "booking.guest_invited": _l("Guest invited"),
    "booking.guest_withdrawn": _l("Guest invitation withdrawn"),
    "booking.no_show_check": _l("Attendance checked"),
    "booking.notice_given": _l("Applicant's notice given"),
    "interpreter.created": _l("Interpreter added"),
    "interpreter.updated": _l("Interpreter's record changed"),
    "interpreter.deactivated": _l("Interpreter taken out of the pool"),
    "interpreter.reactivated": _l("Interpreter back in the pool"),
    "interpreter.availability_changed": _l("Weekly availability changed"),
    "interpreter.time_off_added": _l("Time off added"),
    "interpreter.time_off_deleted": _l("Time off removed"),
    "interpreter.time_off_ended_now": _l("Time off ended early"),
    "account.invited": _l("Account invited"),
    "account.role_changed": _l("Role changed"),
    "account.department_changed": _l("Department changed"),
    "account.deactivated": _l("Account deactivated"),
    "account.reactivated": _l("Account reactivated"),
    "account.sessions_ended": _l("Sessions ended"),
    "second_factor.enrolled": _l("Second factor set up"),
    "second_factor.reset": _l("Second factor reset"),
    "setting.changed": _l("Setting changed"),
    "webhook_endpoint.created": _l("Webhook endpoint registered"),
    "audit.pruned": _l("Oldest entries removed after the retention period"),
}

SUBJECT_LABELS = {
    "booking": _l("Booking"),
    "interpreter": _l("Interpreter"),
    "account": _l("Account"),
    "authority": _l("Authority"),
    "department": _l("Department"),
    "setting": _l("Setting"),
    "webhook_endpoint": _l("Webhook endpoint"),
    "audit": _l("Audit trail"),
}


def action_label(code: str) -> str:
    """The action as people read it, or its code."""
    label = ACTION_LABELS.get(code)
    return code if label is None else str(label)


def subject_label(code: str) -> str:
    """The kind of subject as people read it, or its code."""
    label = SUBJECT_LABELS.get(code)
    return code if label is None else str(label)


def role_label(code: str | None) -> str:
    """The actor's role as people read it; the system for an entry no person made."""
    if code is None:
        return str(_l("RRIS itself"))
    return label(Role(code)) if code in {role.value for role in Role} else code
