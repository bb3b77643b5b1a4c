"""What the generated pool is made of: languages, zones, weekly patterns, weights.

Plain data, so that the generator stays a short sequence of draws from a seeded Random.
"""

from __future__ import annotations

from datetime import UTC, datetime

from rris.enums import Proficiency, Specialisation

# Monday 2026-01-12, 08:00 UTC (the apps' frozen clock): the bookings lie a year either side of it.
BENCH_NOW = datetime(2026, 1, 12, 8, 0, tzinfo=UTC)

# The languages applicants speak, weighted by how often the region needs them.
APPLICANT_LANGUAGES: dict[str, int] = {
    "arb": 12, "pes": 10, "pus": 10, "prs": 8, "urd": 8, "ben": 6, "fra": 6, "ckb": 5, "kmr": 5,
    "tir": 5, "som": 5, "apc": 5, "acm": 4, "rus": 3, "ukr": 3, "amh": 2, "orm": 2, "hin": 2,
    "pnb": 2, "tam": 1, "lin": 1, "hau": 1,
}  # fmt: skip
RELAY_LANGUAGE = "eng"
# The languages officers speak (besides English), weighted by the countries' caseloads.
OFFICER_LANGUAGES: dict[str, int] = {"srp": 5, "mkd": 4, "tur": 4, "sqi": 3, "bos": 2, "hrv": 1, "cnr": 1}
LANGUAGES: tuple[str, ...] = (*APPLICANT_LANGUAGES, RELAY_LANGUAGE, *OFFICER_LANGUAGES)  # 30 ISO 639-3 codes

# Accreditation is most often sought where the caseload is: the two pilot countries first.
COUNTRY_WEIGHTS: dict[str, int] = {"RS": 5, "MK": 4, "TR": 3, "BA": 2, "AL": 2, "XK": 1, "ME": 1}

ZONES: dict[str, int] = {
    "Asia/Kabul": 5, "Asia/Tehran": 4, "Europe/Istanbul": 4, "Europe/London": 3, "Asia/Karachi": 3,
    "Asia/Dhaka": 2, "Europe/Belgrade": 4, "Africa/Asmara": 2, "Europe/Berlin": 2, "Africa/Mogadishu": 1,
    "Europe/Paris": 1, "Asia/Baghdad": 2,
}  # fmt: skip

WEEKDAYS = (0, 1, 2, 3, 4)
# Weekly patterns: (days, start hour, end hour) spans in the interpreter's own zone.
WEEK_TEMPLATES: tuple[tuple[tuple[tuple[int, ...], int, int], ...], ...] = (
    ((WEEKDAYS, 9, 17),),
    ((WEEKDAYS, 8, 16),),
    ((WEEKDAYS, 8, 12), (WEEKDAYS, 13, 18)),
    (((0, 1, 2, 3, 4, 5), 10, 16),),
    (((1, 2, 3, 4, 5), 7, 15),),
    ((WEEKDAYS, 12, 20),),
    (((0, 2, 4), 8, 18),),
    (((0, 1, 2, 3), 9, 17), ((4,), 9, 13)),
    (((0, 1, 2, 3, 4, 5, 6), 8, 20),),
    (((5, 6), 9, 17), ((0, 1, 2), 14, 20)),
)
TEMPLATE_WEIGHTS = (10, 8, 6, 4, 3, 3, 2, 3, 1, 1)
SHIFT_MINUTES = (-60, -30, 0, 30, 60)

PROFICIENCY_WEIGHTS: dict[Proficiency, int] = {
    Proficiency.NATIVE: 40,
    Proficiency.C2: 30,
    Proficiency.C1: 20,
    Proficiency.B2: 10,
}
SPECIALISATION_CHANCE = 0.25
SPECIALISATIONS = tuple(Specialisation)
DAILY_CAPS_MINUTES = (240, 300, 360, 360, 420, 480)
REST_GAPS_MINUTES = (10, 15, 15, 20, 30)
CURRENCIES = ("EUR", "EUR", "EUR", "USD", "GBP", "TRY")

SESSION_MINUTES = (60, 90, 120, 180)
SESSION_WEIGHTS = (4, 3, 4, 1)
CASEWORKERS_PER_DEPARTMENT = 3
