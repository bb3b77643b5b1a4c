"""Forms of the interpreter's pages: answering offers, weekly hours and time off.

The forms read what was typed (formats); the services decide what is allowed (order, overlaps,
zones), and their errors come back onto the same fields through `show_errors`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from flask_wtf import FlaskForm
from wtforms import Field, StringField, TextAreaField
from wtforms.validators import DataRequired, StopValidation, ValidationError
from wtforms.widgets import DateTimeLocalInput

from rris.common.web.forms import MaxChars, WithinYears
from rris.enums import Weekday
from rris.offers.services.offer_requests import DECLINE_REASON_MAX_CHARS
from rris.pool.models.interpreters import AvailabilityWindow
from rris.pool.services.availability import TIME_OFF_REASON_MAX_CHARS, WindowInput

DAY_TEXT_MAX_CHARS = 100
LOCAL_INPUT_FORMATS = ("%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M:%S")

# "9-13", "09:00-13:00", "9.30 – 17.45": hours and optional minutes, any dash between.
_WINDOW = re.compile(r"^(\d{1,2})(?:[:.](\d{2}))?\s*[-\u2013\u2014]\s*(\d{1,2})(?:[:.](\d{2}))?$")
_SEPARATORS = re.compile(r"[,;\n\u060c\u061b]")  # Arabic-script keyboards type ، and ؛

DAY_NAMES: dict[Weekday, Any] = {
    Weekday.MONDAY: _l("Monday"),
    Weekday.TUESDAY: _l("Tuesday"),
    Weekday.WEDNESDAY: _l("Wednesday"),
    Weekday.THURSDAY: _l("Thursday"),
    Weekday.FRIDAY: _l("Friday"),
    Weekday.SATURDAY: _l("Saturday"),
    Weekday.SUNDAY: _l("Sunday"),
}


def parse_day(text: str) -> list[tuple[int, int]]:
    """'09:00-13:00, 14:00-18:00' as [(540, 780), (840, 1080)]; ValueError naming a piece it cannot read.

    Only the format is checked here: order, overlaps and the 00:00-24:00 range are the service's rules.
    """
    spans: list[tuple[int, int]] = []
    unreadable: list[str] = []
    for part in _SEPARATORS.split(text or ""):
        piece = part.strip()
        if not piece:
            continue
        found = _WINDOW.match(piece)
        if found is None or any(m is not None and int(m) > 59 for m in (found.group(2), found.group(4))):
            unreadable.append(f"“{piece}”")
            continue
        start_hour, start_minute, end_hour, end_minute = found.groups()
        spans.append((int(start_hour) * 60 + int(start_minute or 0), int(end_hour) * 60 + int(end_minute or 0)))
    if unreadable:
        raise ValueError(
            ngettext(
                "%(pieces)s is not a window: write HH:MM-HH:MM, separated by commas, e.g. 09:00-13:00, 14:00-18:00.",
                "%(pieces)s are not windows: write HH:MM-HH:MM, separated by commas, e.g. 09:00-13:00, 14:00-18:00.",
                len(unreadable),
                pieces=", ".join(unreadable),
            )
        )
    return spans


def day_text(windows: Iterable[AvailabilityWindow]) -> str:
    """Windows of one day as they are typed: '09:00-13:00, 14:00-18:00'."""
    return ", ".join(f"{_hhmm(w.start_minute)}-{_hhmm(w.end_minute)}" for w in windows)


def _readable_day(form: FlaskForm, field: Field) -> None:
    try:
        parse_day(field.data or "")
    except ValueError as problem:
        raise ValidationError(str(problem)) from None


def _day_field(day: Weekday) -> StringField:
    too_long = _l("Use at most %(max)d characters.")
    return StringField(DAY_NAMES[day], validators=[MaxChars(DAY_TEXT_MAX_CHARS, message=too_long), _readable_day])


class WeeklyAvailabilityForm(FlaskForm):
    """One text field per weekday, named like the service names its problems ('mon' ... 'sun')."""

    mon = _day_field(Weekday.MONDAY)
    tue = _day_field(Weekday.TUESDAY)
    wed = _day_field(Weekday.WEDNESDAY)
    thu = _day_field(Weekday.THURSDAY)
    fri = _day_field(Weekday.FRIDAY)
    sat = _day_field(Weekday.SATURDAY)
    sun = _day_field(Weekday.SUNDAY)

    @classmethod
    def for_windows(cls, windows: Iterable[AvailabilityWindow]) -> WeeklyAvailabilityForm:
        """The form filled in with the stored windows."""
        by_day: dict[str, list[AvailabilityWindow]] = {}
        for window in windows:
            by_day.setdefault(Weekday.from_number(window.weekday).value, []).append(window)
        return cls(formdata=None, data={day: day_text(items) for day, items in by_day.items()})

    def days(self) -> list[tuple[Weekday, Field]]:
        """Each weekday, Monday first, with its field."""
        return [(day, self[day.value]) for day in Weekday]

    def windows(self) -> list[WindowInput]:
        """What was entered, for the service (call after a successful validate)."""
        return [
            WindowInput(day.number, start, end) for day, field in self.days() for start, end in parse_day(field.data)
        ]

    def readable_windows(self) -> list[WindowInput]:
        """The windows of the days that could be read, so that their problems are told too."""
        readable = []
        for day, field in self.days():
            try:
                readable += [WindowInput(day.number, start, end) for start, end in parse_day(field.data or "")]
            except ValueError:
                continue
        return readable


class LocalDateTimeField(Field):
    """A wall-clock date and time (no zone): the page says whose zone it is."""

    widget = DateTimeLocalInput()

    def __init__(self, label: Any = None, validators: Any = None, **kwargs: Any) -> None:
        super().__init__(label, validators, **kwargs)
        self.raw_text = ""

    def _value(self) -> str:
        if self.raw_text:
            return self.raw_text
        return self.data.strftime("%Y-%m-%dT%H:%M") if isinstance(self.data, datetime) else ""

    def process_formdata(self, valuelist: list[str]) -> None:
        self.raw_text = (valuelist[0] if valuelist else "").strip()
        self.data = None
        if not self.raw_text:
            return
        for pattern in LOCAL_INPUT_FORMATS:
            try:
                self.data = datetime.strptime(self.raw_text, pattern)  # noqa: DTZ007 (a wall-clock time, zoned later)
            except ValueError:
                continue
            return
        raise ValueError(_("Enter a date and time like 2026-03-02 09:00."))

    def pre_validate(self, form: FlaskForm) -> None:
        if self.process_errors:  # unreadable: saying "required" as well would only confuse
            raise StopValidation()


class TimeOffForm(FlaskForm):
    starts_local = LocalDateTimeField(
        _l("From"), validators=[DataRequired(_l("Enter when your time off starts.")), WithinYears(with_time=True)]
    )
    ends_local = LocalDateTimeField(
        _l("Until"), validators=[DataRequired(_l("Enter when your time off ends.")), WithinYears(with_time=True)]
    )
    reason = StringField(
        _l("Reason (optional, seen by coordinators)"),
        validators=[
            MaxChars(TIME_OFF_REASON_MAX_CHARS, message=_l("Use at most %(max)d characters.")),
        ],
    )


class DeclineOfferForm(FlaskForm):
    reason = TextAreaField(
        _l("Why are you declining?"),
        validators=[
            DataRequired(_l("Say briefly why, so the coordinators can plan.")),
            MaxChars(DECLINE_REASON_MAX_CHARS, message=_l("Use at most %(max)d characters.")),
        ],
    )


def _hhmm(minutes: int) -> str:
    hours, minute = divmod(minutes, 60)
    return f"{hours:02d}:{minute:02d}"


__all__ = ["DAY_NAMES", "DeclineOfferForm", "TimeOffForm", "WeeklyAvailabilityForm", "day_text", "parse_day"]
