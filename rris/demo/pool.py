"""Load the demo pool: seven countries, their departments and staff, the hub and ~60 interpreters.

Idempotent by natural keys (country code, department per country, user e-mail, dialect per
language, profile per user): a second load creates nothing and changes nothing. The data
lives in `rris.demo.data`; this module only turns it into rows.
"""

from __future__ import annotations

import logging
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from rris.access.domain.permissions import second_factor_required
from rris.accounts.integrations.passwords import hash_password
from rris.accounts.integrations.second_factor_keys import SecondFactorKeys
from rris.accounts.models.accounts import User
from rris.accounts.models.second_factor import Passkey, TotpSecret
from rris.bookings.models.bookings import Booking
from rris.demo import data as data
from rris.demo.history import load_demo_history, pool_has_bookings
from rris.demo.on_demand import load_demo_on_demand, on_demand_sessions
from rris.demo.summary import DemoSummary
from rris.enums import Employment, Role
from rris.extensions import db
from rris.pool.models.geography import Country, Department
from rris.pool.models.interpreters import (
    Accreditation,
    AvailabilityWindow,
    InterpreterProfile,
    InterpreterSpecialisation,
    LanguagePair,
    TimeOff,
)
from rris.pool.models.languages import Dialect, Language
from rris.pool.services.languages import sync_languages
from rris.settings import Settings
from rris.timeutil import zone

log = logging.getLogger(__name__)

DEMO_PASSWORD = "rris-demo-2026"  # noqa: S105  (published on purpose: every demo account uses it)
# The authenticator-app key of every demo admin, coordinator and focal point (their roles need a
# second factor); published on purpose, like the password. `flask demo code` prints its code now.
DEMO_TOTP_SECRET = "RRISDEMOKEYFORTHEAUTHENTICATORAP"  # noqa: S105


def _domain_of(country_code: str) -> str:
    return next(country.mail_domain for country in data.COUNTRIES if country.code == country_code)


_RS_DOMAIN = _domain_of("RS")

DEMO_LOGINS: list[tuple[str, str]] = [
    ("caseworker", data.email_for("Jelena Marković", _RS_DOMAIN)),
    ("focal point", data.email_for("Dragan Stojanović", _RS_DOMAIN)),
    ("interpreter", data.email_for("Mariam Ahmadzai", data.POOL_DOMAIN)),
    ("coordinator", data.email_for(data.COORDINATORS[0], data.HUB_DOMAIN)),
    ("admin", data.email_for(data.ADMIN_NAME, data.ADMIN_DOMAIN)),
]

_ACCREDITATION_DAYS = 730


def pool_is_empty() -> bool:
    """True when no country exists yet, i.e. nothing (demo or real) has been set up."""
    return db.session.scalar(select(Country.id).limit(1)) is None


def load_demo_pool(
    now: datetime, keys: SecondFactorKeys | None = None, settings: Settings | None = None
) -> DemoSummary:
    """Create whatever part of the demo pool is missing and commit once; return the counts.

    With `keys`, the admin, coordinators and focal points get the published authenticator-app
    key DEMO_TOTP_SECRET (their roles need a second factor); without, they set one up when they
    first sign in. With `settings`, a few past on-demand sessions are played under their policy."""
    if now.tzinfo is None:
        raise ValueError("load_demo_pool needs an aware datetime")
    try:
        sync_languages()
        loader = _Loader(now.astimezone(UTC), keys, settings)
        loader.run()
        db.session.commit()
        loader.play_on_demand()
    except Exception:
        db.session.rollback()
        raise
    log.info("demo pool loaded: %s", loader.summary)
    return loader.summary


class _Loader:
    """One load: caches what exists by natural key and adds what is missing."""

    def __init__(self, now: datetime, keys: SecondFactorKeys | None, settings: Settings | None) -> None:
        self.now = now
        self.keys = keys
        self.settings = settings
        self.today: date = now.date()
        self.summary = DemoSummary()
        self.seeds = data.interpreters()
        self._password_hash: str | None = None
        self.languages: dict[str, Language] = {}
        self.countries: dict[str, Country] = {}
        self.departments: dict[tuple[str, str], Department] = {}
        self.dialects: dict[tuple[str, str], Dialect] = {}
        self.users: dict[str, User] = {}

    def run(self) -> None:
        self._load_languages()
        self._check_seeds()
        self._load_users()
        self._ensure_countries()
        self._ensure_departments()
        self._ensure_dialects()
        self._ensure_staff()
        self._ensure_second_factors()
        for seed in self.seeds:
            self._ensure_interpreter(seed)
        self._ensure_history()

    def _ensure_history(self) -> None:
        """Six months of sessions behind the pool, only into a database without bookings."""
        db.session.flush()
        if pool_has_bookings():
            self.summary.sessions_present = db.session.scalar(select(func.count()).select_from(Booking)) or 0
            return
        self.summary.sessions_created = load_demo_history(self.now)

    def play_on_demand(self) -> None:
        """A few on-demand sessions after the past, played by the services (they commit), only
        when this load wrote the past and has the settings' on-demand policy to play them by."""
        if self.summary.sessions_created and self.settings is not None:
            self.summary.on_demand_created = load_demo_on_demand(self.now, self.settings)
        else:
            self.summary.on_demand_present = on_demand_sessions()

    # -- lookups -----------------------------------------------------------------------

    def _load_languages(self) -> None:
        needed = {code for country in data.COUNTRIES for code in country.languages}
        needed |= set(data.DIALECTS)
        needed |= {code for seed in self.seeds for code in seed.languages}
        self.languages = {
            language.code: language
            for language in db.session.scalars(select(Language).where(Language.code.in_(needed)))
        }
        missing = needed - set(self.languages)
        if missing:
            raise LookupError(f"languages missing from the catalogue: {', '.join(sorted(missing))}")

    def _check_seeds(self) -> None:
        codes = {country.code for country in data.COUNTRIES}
        names = [seed.name for seed in self.seeds]
        if len(set(names)) != len(names):
            raise ValueError("two demo interpreters share a name")
        for seed in self.seeds:
            for language, dialect in seed.dialects:
                if language not in seed.languages or dialect not in data.DIALECTS.get(language, ()):
                    raise ValueError(f"{seed.name}: unknown dialect {language}:{dialect}")
            for accreditation in seed.accreditations:
                if accreditation.country not in codes:
                    raise ValueError(f"{seed.name}: unknown country {accreditation.country}")
        for item in data.TIME_OFF:
            if item.interpreter not in names:
                raise ValueError(f"time off for unknown interpreter {item.interpreter}")

    def _load_users(self) -> None:
        emails = [email for email, _name in self._staff_emails()]
        emails += [data.email_for(seed.name, data.POOL_DOMAIN) for seed in self.seeds]
        if len(set(emails)) != len(emails):
            raise ValueError("two demo users share an e-mail address")
        query = select(User).where(User.email.in_(emails)).options(selectinload(User.interpreter_profile))
        self.users = {user.email: user for user in db.session.scalars(query)}

    def _staff_emails(self) -> list[tuple[str, str]]:
        domains = {country.code: country.mail_domain for country in data.COUNTRIES}
        people = [(country.focal_point, country.mail_domain) for country in data.COUNTRIES]
        people += [(name, domains[dept.country]) for dept in data.DEPARTMENTS for name in dept.caseworkers]
        people += [(name, data.HUB_DOMAIN) for name in data.COORDINATORS]
        people.append((data.ADMIN_NAME, data.ADMIN_DOMAIN))
        return [(data.email_for(name, domain), name) for name, domain in people]

    def _password(self) -> str:
        # argon2 is slow on purpose: hash once, and only when a user is actually created.
        if self._password_hash is None:
            self._password_hash = hash_password(DEMO_PASSWORD)
        return self._password_hash

    # -- geography ---------------------------------------------------------------------

    def _ensure_countries(self) -> None:
        codes = [seed.code for seed in data.COUNTRIES]
        self.countries = {c.code: c for c in db.session.scalars(select(Country).where(Country.code.in_(codes)))}
        for seed in data.COUNTRIES:
            if seed.code in self.countries:
                self.summary.countries_present += 1
                continue
            country = Country(
                code=seed.code,
                name=seed.name,
                authority=seed.authority,
                seat=seed.seat,
                timezone=seed.timezone,
            )
            country.official_languages = [self.languages[code] for code in seed.languages]
            db.session.add(country)
            self.countries[seed.code] = country
            self.summary.countries_created += 1

    def _ensure_departments(self) -> None:
        query = select(Department).join(Department.country).where(Country.code.in_(list(self.countries)))
        self.departments = {(dept.country.code, dept.name): dept for dept in db.session.scalars(query)}
        for seed in data.DEPARTMENTS:
            key = (seed.country, seed.name)
            if key in self.departments:
                self.summary.departments_present += 1
                continue
            country = self.countries[seed.country]
            department = Department(
                country=country, name=seed.name, city=seed.city, timezone=country.timezone, email=seed.email
            )
            db.session.add(department)
            self.departments[key] = department
            self.summary.departments_created += 1

    def _ensure_dialects(self) -> None:
        query = select(Dialect).where(Dialect.language_code.in_(list(data.DIALECTS)))
        self.dialects = {(dialect.language_code, dialect.name): dialect for dialect in db.session.scalars(query)}
        for language, names in data.DIALECTS.items():
            for name in names:
                if (language, name) in self.dialects:
                    self.summary.dialects_present += 1
                    continue
                dialect = Dialect(language_code=language, name=name)
                db.session.add(dialect)
                self.dialects[(language, name)] = dialect
                self.summary.dialects_created += 1

    # -- people ------------------------------------------------------------------------

    def _user(self, name: str, domain: str, role: Role, **attributes: object) -> User:
        email = data.email_for(name, domain)
        user = self.users.get(email)
        if user is not None:
            self.summary.users_present += 1
            return user
        defaults: dict[str, object] = {"active": True, "sms_opt_in": False}
        user = User(
            email=email,
            name=name,
            role=role,
            password_hash=self._password(),
            created_at=self.now,
            password_changed_at=self.now,
            **(defaults | attributes),
        )
        db.session.add(user)
        self.users[email] = user
        self.summary.users_created += 1
        return user

    def _ensure_staff(self) -> None:
        for seed in data.COUNTRIES:
            self._user(seed.focal_point, seed.mail_domain, Role.FOCAL_POINT, country=self.countries[seed.code])
        for dept in data.DEPARTMENTS:
            domain = _domain_of(dept.country)
            for name in dept.caseworkers:
                department = self.departments[(dept.country, dept.name)]
                self._user(
                    name, domain, Role.CASEWORKER, department=department, **self._phone(data.STAFF_PHONES.get(name))
                )
        for name in data.COORDINATORS:
            self._user(name, data.HUB_DOMAIN, Role.COORDINATOR, timezone=data.HUB_ZONE)
        self._user(data.ADMIN_NAME, data.ADMIN_DOMAIN, Role.ADMIN, timezone=data.ADMIN_ZONE)

    def _ensure_second_factors(self) -> None:
        """The demo key for every demo account whose role needs a second factor and has none."""
        if self.keys is None:
            return
        keys = self.keys
        db.session.flush()
        needing = [user for user in self.users.values() if second_factor_required(user.role)]
        ids = [user.id for user in needing]
        enrolled = set(db.session.scalars(select(TotpSecret.user_id).where(TotpSecret.user_id.in_(ids))))
        enrolled |= set(db.session.scalars(select(Passkey.user_id).where(Passkey.user_id.in_(ids))))
        for user in needing:
            if user.id not in enrolled:
                db.session.add(
                    TotpSecret(
                        user_id=user.id,
                        secret_encrypted=keys.encrypt(DEMO_TOTP_SECRET),
                        created_at=self.now,
                        confirmed_at=self.now,
                    )
                )

    def _phone(self, phone: str | None) -> dict[str, object]:
        """A demo number, verified at load time (the fixed numbers are fictional)."""
        return {"phone": phone, "phone_verified_at": self.now if phone else None}

    def _ensure_interpreter(self, seed: data.InterpreterSeed) -> None:
        phone = data.phone_for(seed.index, seed.timezone)
        user = self._user(
            seed.name,
            data.POOL_DOMAIN,
            Role.INTERPRETER,
            sms_opt_in=phone is not None and seed.index % 3 == 0,
            **self._phone(phone),
        )
        if user.interpreter_profile is not None:
            self.summary.interpreters_present += 1
            return
        if user.role is not Role.INTERPRETER:
            log.warning("demo interpreter %s exists with role %s; profile not created", user.email, user.role)
            return
        staff = seed.employment is Employment.STAFF
        profile = InterpreterProfile(
            user=user,
            gender=seed.gender,
            timezone=seed.timezone,
            employment=seed.employment,
            daily_cap_minutes=(420, 480)[seed.index % 2] if staff else (240, 300, 360, 420)[seed.index % 4],
            rest_gap_minutes=(10, 15, 20, 30)[seed.index % 4],
            hourly_rate=seed.hourly_rate,
            rate_currency=seed.rate_currency,
            active=True,
            notes=seed.note,
            created_at=self.now,
        )
        profile.language_pairs = [LanguagePair.between(p.one, p.other, p.proficiency) for p in seed.pairs]
        profile.dialects = [self.dialects[key] for key in seed.dialects]
        profile.accreditations = [
            self._accreditation(seed.index, number, item) for number, item in enumerate(seed.accreditations)
        ]
        profile.specialisations = [
            InterpreterSpecialisation(specialisation=item, trained_on=self._trained_on(seed.index, number))
            for number, item in enumerate(seed.specialisations)
        ]
        profile.availability = [
            AvailabilityWindow(weekday=w.weekday.number, start_minute=w.start_minute, end_minute=w.end_minute)
            for w in seed.availability
        ]
        profile.time_off = [self._time_off(seed, item) for item in data.TIME_OFF if item.interpreter == seed.name]
        db.session.add(profile)
        self.summary.interpreters_created += 1

    # -- dates relative to `now` -----------------------------------------------------------

    def _accreditation(self, index: int, number: int, item: data.AccreditationSeed) -> Accreditation:
        if item.status == "expiring":  # ends within the next 30 days
            valid_to = self.today + timedelta(days=3 + (index * 7 + number) % 25)
            valid_from = valid_to - timedelta(days=_ACCREDITATION_DAYS)
        elif item.status == "expired":
            valid_to = self.today - timedelta(days=15 + (index * 11 + number) % 60)
            valid_from = valid_to - timedelta(days=_ACCREDITATION_DAYS)
        else:  # began 1-20 months ago, runs two years: at least 4 months left
            valid_from = self.today - timedelta(days=30 + (index * 47 + number * 13) % 570)
            valid_to = valid_from + timedelta(days=_ACCREDITATION_DAYS)
        return Accreditation(
            country=self.countries[item.country],
            valid_from=valid_from,
            valid_to=valid_to,
            reference=f"{item.country}-ACC-{valid_from.year}-{100 + 5 * index + number:04d}",
        )

    def _trained_on(self, index: int, number: int) -> date | None:
        if (index + number) % 5 == 0:
            return None  # experience without a recorded course
        return self.today - timedelta(days=120 + (index * 53 + number * 29) % 900)

    def _time_off(self, seed: data.InterpreterSeed, item: data.TimeOffSeed) -> TimeOff:
        local = zone(seed.timezone)
        first = self.today + timedelta(days=item.start_day)
        starts = datetime.combine(first, time(0), tzinfo=local)
        ends = datetime.combine(first + timedelta(days=item.days), time(0), tzinfo=local)
        return TimeOff(starts_at=starts.astimezone(UTC), ends_at=ends.astimezone(UTC), reason=item.reason)
