"""The matching engine's reasons read in the reader's language: every kind of rejection and every
basis of a score, in English and in Serbian Cyrillic, dates, durations and language names as that
language writes them (CLDR), nothing of the English sentence left."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from flask_babel import force_locale

from rris.matching.domain.ranking import ScoreBasis, ScoreComponent
from rris.matching.domain.rules import ReasonValue, Rejection, RejectionReason
from rris.matching.services.wording import rejection_text, score_text

R = RejectionReason
B = ScoreBasis
START = datetime(2026, 1, 12, 5, 0, tzinfo=UTC)  # 09:30 in Kabul
END = datetime(2026, 1, 12, 7, 0, tzinfo=UTC)
PAIR = (("applicant_language", "pus"), ("officer_language", "mkd"))
SPAN = (("timezone", "Asia/Kabul"), ("start", START), ("end", END))

REJECTIONS = {
    "inactive": Rejection(R.INACTIVE),
    "no_language_pair": Rejection(R.NO_LANGUAGE_PAIR, PAIR),
    "no_dialect": Rejection(R.NO_DIALECT, (("language", "pus"), ("dialect", "Kandahari"))),
    "not_accredited": Rejection(R.NOT_ACCREDITED, (("country_id", 1), ("date", date(2026, 1, 12)))),
    "outside_availability": Rejection(R.OUTSIDE_AVAILABILITY, SPAN),
    "time_off": Rejection(R.TIME_OFF, (("start", START), ("end", END))),
    "overlapping_job": Rejection(R.OVERLAPPING_JOB, (("booking_id", 17), ("rest_gap_minutes", 15))),
    "daily_cap": Rejection(
        R.DAILY_CAP,
        (("date", date(2026, 1, 12)), ("booked_minutes", 240), ("session_minutes", 150), ("cap_minutes", 360)),
    ),
    "gender": Rejection(R.GENDER, (("required", "female"),)),
    "specialisation": Rejection(R.SPECIALISATION, (("missing", "children,trauma"),)),
    "objected_by_applicant": Rejection(R.OBJECTED_BY_APPLICANT),
}


def part(basis: ScoreBasis, *params: tuple[str, ReasonValue]) -> ScoreComponent:
    return ScoreComponent("any", 0.0, 10.0, basis, params)


SCORES = {
    "continuity_requested": part(B.CONTINUITY_REQUESTED),
    "continuity_served": part(B.CONTINUITY_SERVED),
    "continuity_new": part(B.CONTINUITY_NEW),
    "proficiency_native": part(B.PROFICIENCY, ("level", "native"), *PAIR),
    "proficiency_c2": part(B.PROFICIENCY, ("level", "c2"), *PAIR),
    "no_proficiency": part(B.NO_PROFICIENCY, *PAIR),
    "booked_recently": part(B.BOOKED_RECENTLY, ("minutes", 600)),
    "nothing_booked": part(B.NOTHING_BOOKED),
    "local_hours": part(B.LOCAL_HOURS, *SPAN),
    "no_gender_preference": part(B.NO_GENDER_PREFERENCE),
    "preferred_gender": part(B.PREFERRED_GENDER, ("gender", "female")),
    "not_preferred_gender": part(B.NOT_PREFERRED_GENDER, ("gender", "male")),
}


def read(app, locale: str, explained: Rejection | ScoreComponent) -> str:
    with app.test_request_context(), force_locale(locale):
        if isinstance(explained, Rejection):
            return rejection_text(explained)
        return score_text(explained)


# Each reason kind as an English and a Serbian Cyrillic reader reads it.
WORDED = {
    "inactive": ("Not active in the pool.", "Није активан у бази."),
    "no_language_pair": (
        "Does not interpret between Pashto and Macedonian.",
        "Не преводи између језика паштунски и македонски.",
    ),
    "no_dialect": (
        "Does not cover the Kandahari dialect of Pashto.",
        "Не покрива дијалекат Kandahari језика: паштунски.",  # a dialect stays as entered
    ),
    "not_accredited": (
        "Not accredited for this country on 12 Jan 2026.",
        "На дан 12. јан 2026. није акредитован за ову земљу.",
    ),
    "outside_availability": (
        "Outside weekly availability: on the interpreter's clock the session runs "
        "Mon, 12 Jan, 09:30–11:30 Kabul (UTC+04:30).",
        "Ван недељног распореда: по времену преводиоца сесија траје пон 12. јан 09:30–11:30 Кабул (UTC+04:30).",
    ),
    "time_off": ("Has time off during this session.", "У време ове сесије је на одсуству."),
    "overlapping_job": (
        "Conflicts with booking 17 (including a rest gap of 15 mins).",
        "Преклапа се са резервацијом 17 (укључујући паузу за одмор од 15 мин).",
    ),
    "daily_cap": (
        "Over the daily cap of 6 hrs on 12 Jan 2026: 4 hrs booked plus 2 hrs, 30 mins for this session.",
        "Изнад дневног максимума од 6 сати на дан 12. јан 2026.: 4 сата резервисано и још 2 сата и 30 мин "
        "за ову сесију.",
    ),
    "gender": (
        "The booking requires an interpreter of this gender: female.",
        "Резервација захтева преводиоца овог пола: женски.",
    ),
    "specialisation": (
        "Lacks required experience: children and trauma.",
        "Недостаје потребно искуство: деца и траума.",
    ),
    "objected_by_applicant": (
        "The applicant has objected to this interpreter.",
        "Тражилац азила је уложио приговор на овог преводиоца.",
    ),
    "continuity_requested": ("Requested for continuity", "Затражен ради континуитета"),
    "continuity_served": ("Interpreted for this applicant before", "Раније је преводио за овог тражиоца азила"),
    "continuity_new": ("New to this applicant", "Није раније преводио за овог тражиоца азила"),
    "proficiency_native": ("Native speaker, Pashto–Macedonian", "Изворни говорник, паштунски–македонски"),
    "proficiency_c2": ("Level C2, Pashto–Macedonian", "Ниво C2, паштунски–македонски"),
    "no_proficiency": ("Does not work in Pashto–Macedonian", "Не ради у пару паштунски–македонски"),
    "booked_recently": ("10 hrs booked in the last 30 days", "10 сати резервисано у последњих 30 дана"),
    "nothing_booked": ("Nothing booked in the last 30 days", "Без резервација у последњих 30 дана"),
    "local_hours": (
        "On the interpreter's clock: Mon, 12 Jan, 09:30–11:30 Kabul (UTC+04:30)",
        "По времену преводиоца: пон 12. јан 09:30–11:30 Кабул (UTC+04:30)",
    ),
    "no_gender_preference": ("No gender preference", "Без преференције у погледу пола"),
    "preferred_gender": ("Matches the preferred gender (female)", "Одговара пожељном полу (женски)"),
    "not_preferred_gender": ("Not the preferred gender (male)", "Није пожељног пола (мушки)"),
}


def test_every_reason_kind_and_every_score_basis_has_its_wording_checked():
    assert {r.reason for r in REJECTIONS.values()} == set(RejectionReason)
    assert {c.basis for c in SCORES.values()} == set(ScoreBasis)
    assert set(WORDED) == {*REJECTIONS, *SCORES}


@pytest.mark.parametrize("name", list(WORDED))
def test_each_reason_reads_in_english_and_in_serbian_cyrillic(app, name):
    explained = REJECTIONS.get(name) or SCORES[name]
    english, serbian = WORDED[name]
    assert read(app, "en", explained) == english
    assert read(app, "sr_Cyrl", explained) == serbian


def test_pashto_writes_the_reasons_numbers_in_its_own_digits(app):
    cap = read(app, "ps", REJECTIONS["daily_cap"])
    assert "۲۰۲۶" in cap and "2026" not in cap
    assert "۱۲" in read(app, "ps", REJECTIONS["not_accredited"])
    assert read(app, "ps", REJECTIONS["no_language_pair"]) == "د پښتو او مقدوني ترمنځ ترجماني نه کوي."
