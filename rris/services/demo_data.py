"""The demo pool as plain data: countries, departments, staff and ~60 interpreters.

Pure data and pure helpers (no database): `rris.services.demo` turns it into rows. Everything
is fixed here, so every load builds the same pool. E-mail addresses, telephone numbers and
people are fictional; numbers use drama/fiction ranges or a 555 pattern.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from decimal import Decimal

from rris.enums import Employment, Gender, Proficiency, Specialisation, Weekday

KOSOVO_FOOTNOTE = (
    "References to Kosovo shall be understood in the context of United Nations Security Council resolution 1244 (1999)."
)


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
    footnote: str | None = None


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
                "Pristina", "Europe/Belgrade", ("sqi", "srp"), "mpb.rks-gov.net.example", "Shpresa Hyseni",
                KOSOVO_FOOTNOTE),
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
    "office_late": (("mon-fri", "10:00", "18:00"),),
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

# (name, gender, zone, staff|free, pairs, dialects ("lang:name;..."), accreditations (RS valid,
#  RS! expiring within 30 days, RS~ expired), specialisations, pattern, hourly rate, currency)
# No interpreter covers pus-mkd directly: that booking needs a relay through English.
_INTERPRETERS: tuple[tuple[str, ...], ...] = (
    ("Mariam Ahmadzai", "F", "Asia/Kabul", "free", "pus-eng:c1 pus-prs:c2", "pus:Southern (Kandahari)",
     "RS MK BA", "gbv trauma children", "office_late", "22", "USD"),
    ("Gul Ahmad Shinwari", "M", "Asia/Kabul", "free", "pus-eng:c1", "pus:Northern (Yusufzai)",
     "RS MK", "legal", "sat_wed", "20", "USD"),
    ("Zarghuna Yousafzai", "F", "Asia/Karachi", "free", "pus-eng:c1 pus-urd:native", "pus:Northern (Yusufzai)",
     "RS MK AL", "gbv medical", "office", "24", "USD"),
    ("Hamidullah Mohmand", "M", "Asia/Karachi", "free", "pus-eng:c1 pus-urd:c2", "",
     "MK TR!", "legal", "afternoons", "20", "USD"),
    ("Nasrullah Wardak", "M", "Europe/London", "staff", "pus-eng:c2 prs-eng:c1 pus-prs:native",
     "pus:Southern (Kandahari);prs:Kabuli", "RS MK AL BA XK", "legal trauma", "office_9_17", "32", "GBP"),
    ("Shabnam Stanikzai", "F", "Europe/Berlin", "free", "pus-eng:c1 prs-eng:c1 pus-prs:native", "",
     "RS MK ME", "gbv children trauma", "split", "38", "EUR"),
    ("Abdul Wali Zadran", "M", "Europe/Istanbul", "free", "pus-tur:c1 pus-eng:b2 pus-prs:c2",
     "pus:Southern (Kandahari)", "TR RS~", "cm", "long", "950", "TRY"),
    ("Palwasha Niazi", "F", "Europe/Belgrade", "free", "pus-srp:c1 pus-eng:c1", "",
     "RS BA ME", "children cm", "office", "30", "EUR"),
    ("Farid Rahimi", "M", "Asia/Kabul", "free", "prs-eng:c1", "prs:Kabuli",
     "RS MK", "legal", "sat_wed", "20", "USD"),
    ("Fatema Jafari", "F", "Asia/Kabul", "free", "prs-eng:c1", "prs:Hazaragi",
     "RS MK AL", "gbv children", "office", "20", "USD"),
    ("Sohrab Hosseini", "M", "Asia/Tehran", "free", "prs-eng:b2", "prs:Hazaragi;prs:Herati",
     "MK TR", "cm", "sat_wed", "18", "USD"),
    ("Laila Noori", "F", "Europe/London", "staff", "prs-eng:c2 pes-eng:c1", "prs:Kabuli",
     "RS MK BA AL", "gbv trauma medical", "office_9_17", "34", "GBP"),
    ("Mohammad Nabi Sultani", "M", "Europe/Istanbul", "free", "prs-tur:c2 prs-eng:c1", "prs:Herati",
     "TR MK!", "legal", "long", "900", "TRY"),
    ("Zahra Haidari", "F", "Europe/Belgrade", "free", "prs-srp:c1 prs-eng:c1 pes-srp:c1", "prs:Kabuli",
     "RS ME BA", "children cm", "afternoons", "28", "EUR"),
    ("Jawid Sadat", "M", "Europe/Skopje", "free", "prs-mkd:b2 prs-eng:c1", "prs:Kabuli",
     "MK XK AL", "cm legal", "office", "28", "EUR"),
    ("Reza Ahmadi", "M", "Asia/Tehran", "free", "pes-eng:c1", "",
     "RS MK", "legal", "sat_wed", "18", "USD"),
    ("Maryam Karimi", "F", "Asia/Tehran", "free", "pes-eng:c2 pes-tur:c1", "",
     "RS MK TR", "gbv trauma", "office", "20", "USD"),
    ("Behnam Rostami", "M", "Europe/Istanbul", "free", "pes-tur:c2 pes-eng:c1", "",
     "TR RS", "cm legal", "split", "1000", "TRY"),
    ("Shirin Moradi", "F", "Europe/London", "staff", "pes-eng:c2 prs-eng:c1", "",
     "RS MK AL XK", "gbv medical children", "office_9_17", "35", "GBP"),
    ("Kaveh Rahmani", "M", "Europe/Berlin", "free", "ckb-pes:native ckb-eng:c1 pes-eng:c1", "ckb:Sulaymani",
     "RS MK BA", "trauma", "evenings", "36", "EUR"),
    ("Nasrin Sadeghi", "F", "Europe/Belgrade", "free", "pes-srp:c2 pes-eng:c1", "",
     "RS ME BA", "trauma children", "office", "30", "EUR"),
    ("Milena Đukić", "F", "Europe/Belgrade", "staff", "pes-srp:c1 eng-srp:c2", "",
     "RS BA ME XK", "legal", "office", "30", "EUR"),
    ("Omar Al-Hamwi", "M", "Asia/Beirut", "free", "arb-eng:c1 apc-eng:c1", "apc:Syrian",
     "RS MK", "legal cm", "office", "22", "USD"),
    ("Rania Haddad", "F", "Asia/Beirut", "free", "arb-eng:c2 apc-eng:c2 arb-fra:c1", "apc:Lebanese;apc:Syrian",
     "RS MK AL", "gbv trauma children", "split", "30", "USD"),
    ("Yusuf Al-Jubouri", "M", "Asia/Baghdad", "free", "arb-eng:c1 acm-eng:c1", "acm:Baghdadi",
     "MK TR", "legal", "sun_thu", "20", "USD"),
    ("Zainab Al-Saadi", "F", "Asia/Baghdad", "free", "arb-eng:c1 acm-eng:c2", "acm:Baghdadi",
     "RS MK", "gbv medical", "sun_thu", "20", "USD"),
    ("Ahmad Al-Khatib", "M", "Europe/Istanbul", "staff", "arb-tur:c2 apc-tur:c2 arb-eng:c1 apc-eng:c1", "apc:Syrian",
     "TR RS MK", "legal trauma", "office", "1100", "TRY"),
    ("Huda Darwish", "F", "Europe/Istanbul", "free", "arb-tur:c1 apc-tur:c1 arb-eng:b2",
     "apc:Palestinian;apc:Syrian", "TR", "gbv children cm", "long", "950", "TRY"),
    ("Karim Benali", "M", "Europe/Paris", "free", "arb-fra:native arb-eng:c1 eng-fra:c2", "",
     "RS MK AL ME", "legal medical", "office_9_17", "42", "EUR"),
    ("Ana Trajkovska", "F", "Europe/Skopje", "staff", "arb-mkd:c1 arb-eng:c1 eng-mkd:c2", "",
     "MK XK AL", "legal cm", "office", "28", "EUR"),
    ("Nemanja Stanković", "M", "Europe/Belgrade", "staff", "arb-srp:c1 arb-eng:b2 eng-srp:c2", "",
     "RS BA ME", "legal", "office", "28", "EUR"),
    ("Mahmoud Al-Ali", "M", "Europe/Belgrade", "free", "apc-srp:c1 arb-srp:c1 apc-eng:b2", "apc:Syrian",
     "RS ME", "cm medical", "evenings", "26", "EUR"),
    ("Layla Hassan", "F", "Europe/London", "free", "arb-eng:c2 acm-eng:c2", "acm:Baghdadi",
     "RS MK BA", "gbv trauma medical", "afternoons", "36", "GBP"),
    ("Samir Nasser", "M", "Europe/Berlin", "free", "arb-eng:c1 apc-eng:c1", "apc:Palestinian",
     "RS MK~", "legal", "late", "38", "EUR"),
    ("Dalia Khoury", "F", "Europe/Sarajevo", "free", "apc-bos:c1 arb-bos:c1 arb-eng:c1", "apc:Syrian",
     "BA ME RS", "children cm", "office", "27", "EUR"),
    ("Imran Qureshi", "M", "Asia/Karachi", "free", "urd-eng:c2", "",
     "RS MK", "legal", "office", "18", "USD"),
    ("Ayesha Siddiqui", "F", "Asia/Karachi", "free", "urd-eng:c2", "",
     "RS MK AL~", "gbv medical", "split", "18", "USD"),
    ("Tariq Mahmood", "M", "Europe/London", "free", "urd-eng:native", "",
     "RS MK TR", "legal trauma", "evenings", "30", "GBP"),
    ("Sana Farooq", "F", "Europe/Istanbul", "free", "urd-tur:b2 urd-eng:c1", "",
     "TR", "cm", "afternoons", "850", "TRY"),
    ("Hawre Abdullah", "M", "Asia/Baghdad", "free", "ckb-eng:c1 arb-ckb:c1", "ckb:Sulaymani",
     "RS MK", "trauma legal", "sun_thu", "20", "USD"),
    ("Shilan Aziz", "F", "Europe/London", "free", "ckb-eng:c2", "ckb:Hewleri;ckb:Sulaymani",
     "RS MK BA", "gbv trauma children", "office_9_17", "34", "GBP"),
    ("Rojhat Demir", "M", "Europe/Istanbul", "free", "kmr-tur:native kmr-eng:b2", "kmr:Anatolian Kurmanji",
     "TR RS", "cm", "long", "900", "TRY"),
    ("Berfin Yıldız", "F", "Europe/Istanbul", "free", "kmr-tur:native kmr-eng:c1", "kmr:Anatolian Kurmanji",
     "TR MK", "gbv children", "office", "950", "TRY"),
    ("Dilshad Haji", "M", "Asia/Baghdad", "free", "kmr-eng:c1 arb-kmr:c1 ckb-kmr:c1", "kmr:Badini",
     "RS MK", "trauma", "sun_thu", "20", "USD"),
    ("Rafiqul Islam", "M", "Asia/Dhaka", "free", "ben-eng:c1", "",
     "RS MK", "legal", "afternoons", "16", "USD"),
    ("Nusrat Jahan", "F", "Asia/Dhaka", "free", "ben-eng:c2", "",
     "RS MK AL", "gbv medical", "split", "16", "USD"),
    ("Mizanur Rahman", "M", "Europe/London", "free", "ben-eng:native", "",
     "RS MK BA", "cm", "evenings", "30", "GBP"),
    ("Senait Tesfay", "F", "Africa/Asmara", "free", "tir-eng:c1", "tir:Eritrean",
     "RS MK", "gbv trauma", "office", "15", "USD"),
    ("Yonas Gebremedhin", "M", "Europe/London", "free", "tir-eng:c2", "tir:Eritrean;tir:Tigrayan",
     "RS MK AL", "legal trauma", "office_9_17", "32", "GBP"),
    ("Helen Kidane", "F", "Europe/Berlin", "free", "tir-eng:c1", "tir:Eritrean",
     "RS BA~", "children cm", "evenings", "35", "EUR"),
    ("Abdirahman Warsame", "M", "Africa/Mogadishu", "free", "som-eng:c1 arb-som:c1", "som:Benadiri",
     "RS MK", "legal", "sat_wed", "18", "USD"),
    ("Hodan Abdi", "F", "Africa/Nairobi", "free", "som-eng:c2", "som:Northern Somali",
     "RS MK AL", "gbv children medical", "office", "18", "USD"),
    ("Abdullahi Nur", "M", "Europe/London", "free", "som-eng:c2", "som:Northern Somali",
     "RS MK", "cm", "afternoons", "30", "GBP"),
    ("Claire Fontaine", "F", "Europe/Paris", "staff", "eng-fra:c2", "",
     "RS MK AL XK", "legal gbv", "office_9_17", "45", "EUR"),
    ("Jean-Baptiste Mukendi", "M", "Europe/Paris", "free", "eng-fra:c1", "",
     "RS MK", "cm trauma", "split", "38", "EUR"),
    ("Jovana Petrović", "F", "Europe/Belgrade", "free", "fra-srp:c2 eng-srp:c1", "",
     "RS ME BA", "legal", "office", "28", "EUR"),
    ("Aleksandar Stojanovski", "M", "Europe/Skopje", "free", "fra-mkd:c1 eng-mkd:c1", "",
     "MK XK", "legal", "evenings", "26", "EUR"),
    ("Erion Hoxha", "M", "Europe/Tirane", "staff", "arb-sqi:c1 arb-eng:c1 eng-sqi:c2", "",
     "AL XK MK", "legal cm", "office", "25", "EUR"),
    ("Hasina Safi", "F", "Europe/Tirane", "free", "pus-eng:c1 prs-eng:c1 pus-prs:native prs-sqi:b2", "prs:Kabuli",
     "AL XK", "gbv cm", "office", "24", "EUR"),
    ("Emir Hadžić", "M", "Europe/Sarajevo", "staff", "arb-bos:c1 pes-bos:b2 arb-eng:b2", "",
     "BA ME RS", "legal", "office", "25", "EUR"),
    ("Nazifa Amiri", "F", "Europe/Istanbul", "free", "prs-tur:c1 prs-eng:b2", "prs:Hazaragi",
     "TR", "gbv children", "afternoons", "900", "TRY"),
    ("Arash Ebrahimi", "M", "Europe/Skopje", "free", "pes-mkd:b2 pes-eng:c1", "",
     "MK RS!", "cm", "weekends", "26", "EUR"),
)
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
    "Europe/London": ("+447700900", 3),
    "Europe/Paris": ("+3363998", 4),
    "Europe/Berlin": ("+49151555", 4),
    "Europe/Belgrade": ("+38160555", 4),
    "Europe/Skopje": ("+38970555", 3),
    "Europe/Tirane": ("+35569555", 4),
    "Europe/Sarajevo": ("+38761555", 3),
    "Africa/Asmara": ("+2917555", 3),
    "Africa/Mogadishu": ("+25261555", 4),
    "Africa/Nairobi": ("+254712555", 3),
}

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
    for index, row in enumerate(_INTERPRETERS):
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
