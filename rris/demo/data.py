"""The demo pool as plain data: countries, departments, staff and ~60 interpreters.

Pure data and pure helpers (no database): `rris.demo.pool` turns it into rows. Everything
is fixed here, so every load builds the same pool. E-mail addresses, telephone numbers and
people are fictional; numbers use drama/fiction ranges or a 555 pattern.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from decimal import Decimal

from rris.demo.roster import INTERPRETER_ROWS
from rris.enums import Employment, Gender, Proficiency, Specialisation, Weekday


@dataclass(frozen=True)
class CountrySeed:
    """A participating country, its asylum authority and its staff e-mail domain."""

    code: str
    name: str
    authority: str
    seat: str
    timezone: str
    languages: tuple[str, ...]
    mail_domain: str
    focal_point: str


@dataclass(frozen=True)
class DepartmentSeed:
    """An office of a country's asylum authority and the caseworkers who book from it."""

    country: str
    name: str
    city: str
    email: str
    caseworkers: tuple[str, ...]


@dataclass(frozen=True)
class Window:
    """A weekly availability window, minutes after local midnight."""

    weekday: Weekday
    start_minute: int
    end_minute: int


@dataclass(frozen=True)
class PairSeed:
    """A working pair (codes in any order) and how well it is mastered."""

    one: str
    other: str
    proficiency: Proficiency


@dataclass(frozen=True)
class AccreditationSeed:
    """A country clearance; `status` is 'valid', 'expiring' (within 30 days) or 'expired'."""

    country: str
    status: str


@dataclass(frozen=True)
class InterpreterSeed:
    """One interpreter of the demo pool, fully parsed."""

    index: int
    name: str
    gender: Gender
    timezone: str
    employment: Employment
    pairs: tuple[PairSeed, ...]
    dialects: tuple[tuple[str, str], ...]
    accreditations: tuple[AccreditationSeed, ...]
    specialisations: tuple[Specialisation, ...]
    availability: tuple[Window, ...]
    hourly_rate: Decimal
    rate_currency: str
    note: str | None

    @property
    def languages(self) -> frozenset[str]:
        """Every language code of the interpreter's working pairs."""
        return frozenset(code for pair in self.pairs for code in (pair.one, pair.other))


@dataclass(frozen=True)
class TimeOffSeed:
    """Time off from local midnight `start_day` days after today, for `days` days."""

    interpreter: str
    start_day: int
    days: int
    reason: str


# fmt: off
COUNTRIES: tuple[CountrySeed, ...] = (
    CountrySeed("AL", "Albania", "Directorate for Asylum, Foreigners and Citizenship, Ministry of Interior",
                "Tirana", "Europe/Tirane", ("sqi",), "mb.gov.al.example", "Albana Leka"),
    CountrySeed("BA", "Bosnia and Herzegovina", "Sector for Asylum, Ministry of Security",
                "Sarajevo", "Europe/Sarajevo", ("bos", "hrv", "srp"), "msb.gov.ba.example", "Edin Karić"),
    CountrySeed("XK", "Kosovo", "Department for Citizenship, Asylum and Migration, Ministry of Internal Affairs",
                "Pristina", "Europe/Belgrade", ("sqi", "srp"), "mpb.rks-gov.net.example", "Shpresa Hyseni"),
    CountrySeed("ME", "Montenegro", "Directorate for Asylum, Ministry of Interior",
                "Podgorica", "Europe/Podgorica", ("cnr",), "mup.gov.me.example", "Danilo Bulatović"),
    CountrySeed("MK", "North Macedonia", "Sector for Asylum, Ministry of Interior",
                "Skopje", "Europe/Skopje", ("mkd", "sqi"), "mvr.gov.mk.example", "Vesna Janevska"),
    CountrySeed("RS", "Serbia", "Asylum Office, Ministry of Interior",
                "Belgrade", "Europe/Belgrade", ("srp",), "mup.rs.example", "Dragan Stojanović"),
    CountrySeed("TR", "Turkey", "Presidency of Migration Management",
                "Ankara", "Europe/Istanbul", ("tur",), "goc.gov.tr.example", "Selin Koç"),
)

DEPARTMENTS: tuple[DepartmentSeed, ...] = (
    DepartmentSeed("AL", "Directorate for Asylum, Tirana", "Tirana", "azil.tirana@mb.gov.al.example",
                   ("Elira Shehu", "Gentian Basha", "Ornela Kola")),
    DepartmentSeed("AL", "Babrru National Reception Centre desk", "Tirana", "babrru@mb.gov.al.example",
                   ("Arjola Duka", "Klodian Marku")),
    DepartmentSeed("AL", "Kapshticë Border Crossing desk", "Kapshticë", "kapshtice@mb.gov.al.example",
                   ("Dritan Çela", "Mirela Gjoni")),
    DepartmentSeed("BA", "Sector for Asylum, Sarajevo", "Sarajevo", "azil@msb.gov.ba.example",
                   ("Amra Hodžić", "Adnan Mehmedović", "Ivana Kovačević")),
    DepartmentSeed("BA", "Delijaš Asylum Centre", "Trnovo", "delijas@msb.gov.ba.example",
                   ("Senad Begić", "Lejla Mujić")),
    DepartmentSeed("BA", "Salakovac Reception Centre desk", "Mostar", "salakovac@msb.gov.ba.example",
                   ("Mario Šarić", "Dženana Omerović")),
    DepartmentSeed("XK", "Asylum Division, Pristina", "Pristina", "azili@mpb.rks-gov.net.example",
                   ("Blerta Krasniqi", "Arben Gashi", "Vjosa Berisha")),
    DepartmentSeed("XK", "Magura Asylum Centre desk", "Lipjan", "magura@mpb.rks-gov.net.example",
                   ("Fatmir Morina", "Dardan Rexhepi")),
    DepartmentSeed("ME", "Asylum Office, Podgorica", "Podgorica", "azil@mup.gov.me.example",
                   ("Milena Vujović", "Nikola Radović", "Ajla Hajdarpašić")),
    DepartmentSeed("ME", "Spuž Reception Centre desk", "Danilovgrad", "spuz@mup.gov.me.example",
                   ("Vuk Đurović", "Ivana Perović")),
    DepartmentSeed("MK", "Sector for Asylum, Skopje", "Skopje", "azil@mvr.gov.mk.example",
                   ("Marija Nikolovska", "Bojan Petrovski", "Arta Jashari")),
    DepartmentSeed("MK", "Vizbegovo Reception Centre desk", "Skopje", "vizbegovo@mvr.gov.mk.example",
                   ("Goran Dimitrievski", "Teodora Angelovska")),
    DepartmentSeed("MK", "Vinojug Transit Centre desk", "Gevgelija", "vinojug@mvr.gov.mk.example",
                   ("Dejan Tasevski", "Suzana Ristova")),
    DepartmentSeed("RS", "Asylum Office, Belgrade", "Belgrade", "azil.beograd@mup.rs.example",
                   ("Jelena Marković", "Miloš Nikolić", "Tamara Đorđević")),
    DepartmentSeed("RS", "Krnjača Asylum Centre desk", "Belgrade", "krnjaca@mup.rs.example",
                   ("Stefan Ilić", "Ivana Pavlović")),
    DepartmentSeed("RS", "Preševo Reception Centre desk", "Preševo", "presevo@mup.rs.example",
                   ("Zoran Mitić", "Ana Stanojević")),
    DepartmentSeed("TR", "Headquarters, Ankara", "Ankara", "uluslararasi.koruma@goc.gov.tr.example",
                   ("Ayşe Yılmaz", "Mehmet Kaya", "Elif Demir")),
    DepartmentSeed("TR", "Istanbul Provincial Directorate of Migration Management", "Istanbul",
                   "istanbul@goc.gov.tr.example", ("Burak Şahin", "Zeynep Çelik", "Emre Aydın")),
    DepartmentSeed("TR", "Gaziantep Provincial Directorate of Migration Management", "Gaziantep",
                   "gaziantep@goc.gov.tr.example", ("Fatma Öztürk", "Hasan Arslan")),
)

HUB_ZONE = "Europe/Skopje"
HUB_DOMAIN = "marri.rris.example"
COORDINATORS: tuple[str, ...] = ("Elena Stojanovska", "Arben Selimi", "Maja Kovač")
ADMIN_NAME = "Nikola Petrović"
ADMIN_DOMAIN = "ops.rris.example"
ADMIN_ZONE = "Europe/Belgrade"
POOL_DOMAIN = "pool.rris.example"

DIALECTS: dict[str, tuple[str, ...]] = {
    "pus": ("Southern (Kandahari)", "Northern (Yusufzai)"),
    "prs": ("Kabuli", "Hazaragi", "Herati"),
    "ckb": ("Sulaymani", "Hewleri"),
    "kmr": ("Badini", "Anatolian Kurmanji"),
    "apc": ("Syrian", "Lebanese", "Palestinian"),
    "acm": ("Baghdadi",),
    "som": ("Northern Somali", "Benadiri"),
    "tir": ("Eritrean", "Tigrayan"),
}

# Weekly patterns in the interpreter's own zone: (days, from, to); day ranges may wrap (sat-wed).
PATTERNS: dict[str, tuple[tuple[str, str, str], ...]] = {
    "office": (("mon-fri", "08:00", "16:00"),),
    "office_9_17": (("mon-fri", "09:00", "17:00"),),
    "every_day": (("mon-sun", "08:00", "20:00"),),
    "split": (("mon-fri", "08:00", "12:00"), ("mon-fri", "14:00", "19:00")),
    "afternoons": (("mon-fri", "12:00", "20:00"),),
    "evenings": (("mon-fri", "17:00", "22:00"), ("sat", "10:00", "16:00")),
    "long": (("mon-sat", "08:00", "20:00"),),
    "sat_wed": (("sat-wed", "08:00", "16:00"), ("thu", "08:00", "12:00")),
    "sun_thu": (("sun-thu", "08:00", "16:00"),),
    "late": (("mon-fri", "14:00", "24:00"), ("sun", "12:00", "20:00")),
    "weekends": (("fri-sun", "09:00", "21:00"), ("wed", "16:00", "22:00")),
}

SPECIALISATION_KEYS: dict[str, Specialisation] = {
    "trauma": Specialisation.TRAUMA,
    "children": Specialisation.CHILDREN,
    "medical": Specialisation.MEDICAL,
    "legal": Specialisation.LEGAL,
    "cm": Specialisation.CULTURAL_MEDIATION,
    "gbv": Specialisation.GENDER_BASED_VIOLENCE,
}

# fmt: on

NOTES: dict[str, str] = {
    "Mariam Ahmadzai": "Prefers video; telephone fallback on her mobile.",
    "Nasrullah Wardak": "Senior interpreter; mentors new Pashto and Dari colleagues.",
    "Abdul Wali Zadran": "Available at short notice for reception appointments.",
    "Ahmad Al-Khatib": "Works from the Istanbul office; wired connection.",
    "Karim Benali": "Also covers Maghrebi Arabic on request.",
    "Ana Trajkovska": "Can relay through English for languages without a Macedonian pair.",
    "Hodan Abdi": "Unstable connection in the rainy season; telephone preferred then.",
}

TIME_OFF: tuple[TimeOffSeed, ...] = (
    TimeOffSeed("Gul Ahmad Shinwari", -3, 7, "Annual leave"),
    TimeOffSeed("Laila Noori", 5, 3, "Training course: trauma-informed interpreting"),
    TimeOffSeed("Ahmad Al-Khatib", 14, 10, "Annual leave"),
    TimeOffSeed("Maryam Karimi", 1, 1, "Medical appointment"),
    TimeOffSeed("Yonas Gebremedhin", -20, 5, "Family commitments"),
    TimeOffSeed("Huda Darwish", 30, 14, "Annual leave"),
)

# Fictional numbers: Ofcom's drama range for the UK, ARCEP's fiction range for France,
# a 555 pattern elsewhere. (prefix, digits that follow).
PHONE_PLANS: dict[str, tuple[str, int]] = {
    "Asia/Kabul": ("+9370555", 4),
    "Asia/Tehran": ("+98912555", 4),
    "Asia/Karachi": ("+92300555", 4),
    "Asia/Dhaka": ("+8801711555", 3),
    "Asia/Baghdad": ("+964770555", 4),
    "Asia/Beirut": ("+9613555", 3),
    "Europe/Istanbul": ("+90532555", 4),
    "Europe/London": ("+44740012", 4),
    "Europe/Paris": ("+336123", 5),
    "Europe/Berlin": ("+49151234", 5),
    "Europe/Belgrade": ("+38160555", 4),
    "Europe/Skopje": ("+38970555", 3),
    "Europe/Tirane": ("+35569555", 4),
    "Europe/Sarajevo": ("+38761555", 3),
    "Africa/Asmara": ("+2917555", 3),
    "Africa/Mogadishu": ("+25261555", 4),
    "Africa/Nairobi": ("+254712555", 3),
}

# Verified numbers of demo staff, so that the telephone fallback can be tried as the caseworker.
STAFF_PHONES: dict[str, str] = {"Jelena Marković": "+381605550101"}

_TRANSLITERATION = str.maketrans({"đ": "dj", "Đ": "Dj", "ı": "i", "ł": "l", "ß": "ss", "'": "", "\u2019": ""})


def email_for(name: str, domain: str) -> str:
    """'Tamara Đorđević', 'mup.rs.example' -> 'tamara.djordjevic@mup.rs.example'."""
    ascii_name = unicodedata.normalize("NFKD", name.translate(_TRANSLITERATION))
    ascii_name = ascii_name.encode("ascii", "ignore").decode("ascii").lower()
    return f"{'.'.join(ascii_name.split())}@{domain}"


def phone_for(index: int, zone_name: str) -> str | None:
    """A fictional E.164 number in the interpreter's country, or None for a few people."""
    if index % 8 == 5 or zone_name not in PHONE_PLANS:
        return None
    prefix, digits = PHONE_PLANS[zone_name]
    return f"{prefix}{(index * 37 + 11) % 10**digits:0{digits}d}"


def _minutes(hhmm: str) -> int:
    hours, minutes = hhmm.split(":")
    return int(hours) * 60 + int(minutes)


def _days(spec: str) -> list[Weekday]:
    days = list(Weekday)
    first, _, last = spec.partition("-")
    start = days.index(Weekday(first))
    end = days.index(Weekday(last or first))
    return [days[(start + step) % 7] for step in range((end - start) % 7 + 1)]


def pattern_windows(key: str) -> tuple[Window, ...]:
    """The weekly windows of a named availability pattern."""
    return tuple(
        Window(day, _minutes(start), _minutes(end)) for days, start, end in PATTERNS[key] for day in _days(days)
    )


def _pair(spec: str) -> PairSeed:
    codes, _, level = spec.partition(":")
    one, _, other = codes.partition("-")
    return PairSeed(one, other, Proficiency(level))


def _dialect(spec: str) -> tuple[str, str]:
    language, _, name = spec.partition(":")
    return language, name


def _accreditation(spec: str) -> AccreditationSeed:
    status = {"!": "expiring", "~": "expired"}.get(spec[-1], "valid")
    return AccreditationSeed(spec[:2], status)


def interpreters() -> list[InterpreterSeed]:
    """The demo pool, parsed from the compact table above."""
    seeds = []
    for index, row in enumerate(INTERPRETER_ROWS):
        name, gender, zone_name, employment, pairs, dialects, countries, specs, pattern, rate, currency = row
        seeds.append(
            InterpreterSeed(
                index=index,
                name=name,
                gender=Gender.FEMALE if gender == "F" else Gender.MALE,
                timezone=zone_name,
                employment=Employment.STAFF if employment == "staff" else Employment.FREELANCE,
                pairs=tuple(_pair(spec) for spec in pairs.split()),
                dialects=tuple(_dialect(item) for item in dialects.split(";") if item),
                accreditations=tuple(_accreditation(spec) for spec in countries.split()),
                specialisations=tuple(SPECIALISATION_KEYS[key] for key in specs.split()),
                availability=pattern_windows(pattern),
                hourly_rate=Decimal(rate).quantize(Decimal("0.01")),
                rate_currency=currency,
                note=NOTES.get(name),
            )
        )
    return seeds
