"""How the matching engine's reasons read for people: why an interpreter is left out
(`Rejection`) and why a score component gave its points (`ScoreComponent`), in the current
language. The domain hands over codes and values; this module alone words them, with dates,
times and durations from `rris.common.domain.formats` and language names from CLDR
(`rris.common.services.wording`). Pages pass the viewer's formatting locale; elsewhere the
current one is used, so the portal, the API and the scheduler word a reason the same way."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, timedelta

from babel import Locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from rris.common.domain import formats
from rris.common.services.wording import current_locale, label, language_name
from rris.enums import Gender, Proficiency, Specialisation
from rris.matching.domain.ranking import ScoreBasis, ScoreComponent
from rris.matching.domain.rules import ReasonValue, Rejection, RejectionReason

Values = dict[str, ReasonValue]


def reason_name(reason: RejectionReason) -> str:
    """A reason's short name, as the desk counts them ("3 × another job")."""
    return str(_SHORT_NAMES[reason])


def rejection_text(rejection: Rejection, locale: Locale | None = None) -> str:
    """The sentence saying why the interpreter is left out, in the current language; dates and
    durations in `locale` (default: the current formatting locale)."""
    return _REJECTIONS[rejection.reason](rejection.values, locale or current_locale())


def rejections_text(rejections: tuple[Rejection, ...] | list[Rejection], locale: Locale | None = None) -> str:
    """Several reasons as one text, each its own sentence."""
    return " ".join(rejection_text(rejection, locale) for rejection in rejections)


def score_text(component: ScoreComponent, locale: Locale | None = None) -> str:
    """Why a score component gave its points, in the current language (values in `locale`)."""
    return _SCORES[component.basis](component.values, locale or current_locale())


def _text(values: Values, name: str) -> str:
    return str(values[name])


def _minutes(values: Values, name: str, locale: Locale) -> str:
    value = values[name]
    assert isinstance(value, int), f"{name} is a count of minutes"
    return formats.duration(timedelta(minutes=value), locale)


def _day(values: Values, name: str, locale: Locale) -> str:
    value = values[name]
    assert isinstance(value, date), f"{name} is a date"
    return formats.day(value, locale)


def _span(values: Values, locale: Locale) -> str:
    start, end = values["start"], values["end"]
    assert isinstance(start, datetime) and isinstance(end, datetime), "a span runs between two instants"
    return formats.time_span(start, end, _text(values, "timezone"), locale)


def _pair(values: Values) -> str:
    return f"{language_name(_text(values, 'applicant_language'))}–{language_name(_text(values, 'officer_language'))}"


def _gender(values: Values, name: str) -> str:
    return label(Gender(_text(values, name)))


def _specialisations(values: Values, locale: Locale) -> str:
    codes = [code for code in _text(values, "missing").split(",") if code]
    return formats.enumeration([label(Specialisation(code)) for code in codes], locale)


Wording = Callable[[Values, Locale], str]

_REJECTIONS: dict[RejectionReason, Wording] = {
    RejectionReason.INACTIVE: lambda v, loc: _("Not active in the pool."),
    RejectionReason.NO_LANGUAGE_PAIR: lambda v, loc: _(
        "Does not interpret between %(applicant_language)s and %(officer_language)s.",
        applicant_language=language_name(_text(v, "applicant_language")),
        officer_language=language_name(_text(v, "officer_language")),
    ),
    RejectionReason.NO_DIALECT: lambda v, loc: _(
        "Does not cover the %(dialect)s dialect of %(language)s.",
        dialect=_text(v, "dialect"),
        language=language_name(_text(v, "language")),
    ),
    RejectionReason.NOT_ACCREDITED: lambda v, loc: _(
        "Not accredited for this country on %(date)s.", date=_day(v, "date", loc)
    ),
    RejectionReason.OUTSIDE_AVAILABILITY: lambda v, loc: _(
        "Outside weekly availability: on the interpreter's clock the session runs %(span)s.", span=_span(v, loc)
    ),
    RejectionReason.TIME_OFF: lambda v, loc: _("Has time off during this session."),
    RejectionReason.OVERLAPPING_JOB: lambda v, loc: _(
        "Conflicts with booking %(booking)s (including a rest gap of %(gap)s).",
        booking=_text(v, "booking_id"),
        gap=_minutes(v, "rest_gap_minutes", loc),
    ),
    RejectionReason.DAILY_CAP: lambda v, loc: _(
        "Over the daily cap of %(cap)s on %(date)s: %(booked)s booked plus %(session)s for this session.",
        cap=_minutes(v, "cap_minutes", loc),
        date=_day(v, "date", loc),
        booked=_minutes(v, "booked_minutes", loc),
        session=_minutes(v, "session_minutes", loc),
    ),
    RejectionReason.GENDER: lambda v, loc: _(
        "The booking requires an interpreter of this gender: %(gender)s.", gender=_gender(v, "required")
    ),
    RejectionReason.SPECIALISATION: lambda v, loc: _(
        "Lacks required experience: %(specialisations)s.", specialisations=_specialisations(v, loc)
    ),
    RejectionReason.OBJECTED_BY_APPLICANT: lambda v, loc: _("The applicant has objected to this interpreter."),
}

_SCORES: dict[ScoreBasis, Wording] = {
    ScoreBasis.CONTINUITY_REQUESTED: lambda v, loc: _("Requested for continuity"),
    ScoreBasis.CONTINUITY_SERVED: lambda v, loc: _("Interpreted for this applicant before"),
    ScoreBasis.CONTINUITY_NEW: lambda v, loc: _("New to this applicant"),
    ScoreBasis.PROFICIENCY: lambda v, loc: (
        _("Native speaker, %(pair)s", pair=_pair(v))
        if _text(v, "level") == Proficiency.NATIVE
        else _("Level %(level)s, %(pair)s", level=label(Proficiency(_text(v, "level"))), pair=_pair(v))
    ),
    ScoreBasis.NO_PROFICIENCY: lambda v, loc: _("Does not work in %(pair)s", pair=_pair(v)),
    ScoreBasis.BOOKED_RECENTLY: lambda v, loc: _(
        "%(duration)s booked in the last 30 days", duration=_minutes(v, "minutes", loc)
    ),
    ScoreBasis.NOTHING_BOOKED: lambda v, loc: _("Nothing booked in the last 30 days"),
    ScoreBasis.LOCAL_HOURS: lambda v, loc: _("On the interpreter's clock: %(span)s", span=_span(v, loc)),
    ScoreBasis.NO_GENDER_PREFERENCE: lambda v, loc: _("No gender preference"),
    ScoreBasis.PREFERRED_GENDER: lambda v, loc: _(
        "Matches the preferred gender (%(gender)s)", gender=_gender(v, "gender")
    ),
    ScoreBasis.NOT_PREFERRED_GENDER: lambda v, loc: _(
        "Not the preferred gender (%(gender)s)", gender=_gender(v, "gender")
    ),
}

_SHORT_NAMES: dict[RejectionReason, object] = {
    RejectionReason.INACTIVE: _l("out of the pool"),
    RejectionReason.NO_LANGUAGE_PAIR: _l("other language pair"),
    RejectionReason.NO_DIALECT: _l("dialect"),
    RejectionReason.NOT_ACCREDITED: _l("not accredited here"),
    RejectionReason.OUTSIDE_AVAILABILITY: _l("outside availability"),
    RejectionReason.TIME_OFF: _l("time off"),
    RejectionReason.OVERLAPPING_JOB: _l("another job"),
    RejectionReason.DAILY_CAP: _l("daily cap reached"),
    RejectionReason.GENDER: _l("gender"),
    RejectionReason.SPECIALISATION: _l("specialisation"),
    RejectionReason.OBJECTED_BY_APPLICANT: _l("objected by the applicant"),
}
