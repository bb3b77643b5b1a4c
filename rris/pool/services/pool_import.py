"""Import and export of the interpreter pool as CSV (the format is in `rris.pool.domain.pool_csv`).

An import is checked as a whole first: the dry run (`preview_import`) and the real one
(`apply_import`) build the same report, row by row, and the real one writes only when no row
has a problem, all rows in one transaction. New interpreters get an account with no usable
password; they choose one through "forgot password". The steps for one row (resolving
clearance starts, writing a profile) are public: the coordinators' forms
(`rris.pool.services.interpreter_records`) check and write an interpreter the same way.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from enum import StrEnum

import pycountry
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import selectinload
from sqlalchemy.orm.strategy_options import _AbstractLoad  # what selectinload returns; no public name

from rris.access.domain.permissions import Actor, Capability, can
from rris.accounts.models.accounts import User
from rris.accounts.services.accounts import no_password
from rris.audit.domain.events import AuditEvent
from rris.audit.services.trail import record_audit
from rris.common.domain.errors import Forbidden
from rris.common.services.transactions import begin_write
from rris.context import current_origin
from rris.enums import Role
from rris.extensions import db
from rris.matching.services.conflicts import request_sweep
from rris.pool.domain.pool_csv import (
    AccreditationRow,
    Catalogue,
    PairRow,
    PoolRow,
    RowProblem,
    SpecialisationRow,
    normalised,
    parse_pool_csv,
    pool_csv_chunks,
)
from rris.pool.models.geography import Country
from rris.pool.models.interpreters import Accreditation, InterpreterProfile, InterpreterSpecialisation, LanguagePair
from rris.pool.models.languages import Dialect, Language
from rris.pool.queries.pool_export import pool_file_rows

log = logging.getLogger(__name__)

SWEEP_REASON = "pool import"


class RowAction(StrEnum):
    """What an import does (or would do) with one row."""

    CREATE = "create"
    UPDATE = "update"
    UNCHANGED = "unchanged"
    REJECT = "reject"


@dataclass
class RowOutcome:
    """One data row of the file and what became of it."""

    row: int
    email: str
    action: RowAction
    problems: list[RowProblem] = field(default_factory=list)


@dataclass
class ImportReport:
    """The verdict on a whole file; `applied` is True only when it was written."""

    rows: list[RowOutcome] = field(default_factory=list)
    file_problems: list[RowProblem] = field(default_factory=list)
    applied: bool = False

    @property
    def ok(self) -> bool:
        """True when the file can be imported as it is."""
        return not self.file_problems and all(outcome.action is not RowAction.REJECT for outcome in self.rows)

    def count(self, action: RowAction) -> int:
        """How many rows get `action`."""
        return sum(1 for outcome in self.rows if outcome.action is action)


@dataclass
class _Plan:
    report: ImportReport
    changes: list[tuple[PoolRow, User | None]]  # the resolved row and the existing account


def preview_import(text: str, actor: Actor, now: datetime) -> ImportReport:
    """The dry run: what importing `text` would create, update or reject, and why; writes nothing."""
    _guard(actor)
    return _plan(text, now.date()).report


def apply_import(text: str, actor: Actor, now: datetime) -> ImportReport:
    """Import `text` in one transaction when every row is good; otherwise write nothing.

    Either way the report says what happened to each row; `report.applied` tells which.
    """
    _guard(actor)
    begin_write()
    plan = _plan(text, now.date())
    if not plan.report.ok:
        db.session.rollback()
        return plan.report
    dialects, countries = write_lookups()
    touched: list[InterpreterProfile] = []
    created: list[InterpreterProfile] = []
    for row, user in plan.changes:
        if user is None:
            user = new_account(row, now)
        profile = user.interpreter_profile
        if profile is None:
            profile = InterpreterProfile(user=user, created_at=now)
            db.session.add(profile)
            created.append(profile)
        else:
            touched.append(profile)
        write_profile(profile, row, dialects, countries)
    db.session.flush()
    for profile in touched:  # a changed clearance or pair may break a confirmed job
        request_sweep(profile.id, SWEEP_REASON, now)
    for action, profiles in (("interpreter.created", created), ("interpreter.updated", touched)):
        for profile in profiles:
            event = AuditEvent(action, "interpreter", str(profile.id), details={"source": "pool file"})
            record_audit(event, actor, current_origin(), now)
    db.session.commit()
    plan.report.applied = True
    log.info(
        "pool import by user %s: %d created, %d updated, %d unchanged",
        actor.user_id,
        plan.report.count(RowAction.CREATE),
        plan.report.count(RowAction.UPDATE),
        plan.report.count(RowAction.UNCHANGED),
    )
    return plan.report


def export_pool(actor: Actor) -> str:
    """The whole pool, active or not, as CSV in the import format (sorted by e-mail)."""
    return "".join(export_pool_chunks(actor))


def export_pool_chunks(actor: Actor) -> Iterator[str]:
    """`export_pool`'s text in pieces, for a streamed download: the pool is read (and the actor
    checked) before the first piece is asked for, so nothing touches the database while it streams."""
    _guard(actor)
    return pool_csv_chunks(pool_file_rows())


# -- checking -------------------------------------------------------------------------------


def _guard(actor: Actor) -> None:
    guard_pool_manager(actor, _("Only coordinators import or export the pool."))


def _plan(text: str, today: date) -> _Plan:
    parsed = parse_pool_csv(text, pool_catalogue())
    report = ImportReport(file_problems=list(parsed.file_problems))
    emails = [row.email for row in parsed.rows if row.email]
    users = {
        user.email: user
        for user in db.session.scalars(
            select(User)
            .where(User.email.in_(emails))
            .options(selectinload(User.interpreter_profile).options(*profile_loads()[1:]))
        )
    }
    changes: list[tuple[PoolRow, User | None]] = []
    for parsed_row in parsed.rows:
        user = users.get(parsed_row.email)
        problems = list(parsed_row.problems)
        if user is not None and user.role is not Role.INTERPRETER:
            problems.append(
                RowProblem(parsed_row.row, "email", "This address belongs to an account that is not an interpreter.")
            )
        if problems or parsed_row.value is None:
            report.rows.append(RowOutcome(parsed_row.row, parsed_row.email, RowAction.REJECT, problems))
            continue
        profile = user.interpreter_profile if user is not None else None
        row = resolve_starts(parsed_row.value, profile, today)
        clash = same_start_twice(row)
        if clash:
            problem = RowProblem(parsed_row.row, "accreditations", clash)
            report.rows.append(RowOutcome(parsed_row.row, parsed_row.email, RowAction.REJECT, [problem]))
            continue
        if profile is None:
            action = RowAction.CREATE
        elif row_of(profile) == row:
            action = RowAction.UNCHANGED
        else:
            action = RowAction.UPDATE
        report.rows.append(RowOutcome(parsed_row.row, parsed_row.email, action))
        if action is not RowAction.UNCHANGED:
            changes.append((row, user))
    return _Plan(report, changes)


# -- one row: checked and written the same way by the import and the coordinators' forms ----


def guard_pool_manager(actor: Actor, message: str) -> None:
    """Raise Forbidden with `message` unless the actor manages the pool."""
    if not can(actor, Capability.MANAGE_POOL):
        raise Forbidden(message)


def pool_catalogue() -> Catalogue:
    """What a row may name: known languages, countries, dialects and currencies."""
    return Catalogue(
        languages=frozenset(db.session.scalars(select(Language.code))),
        countries=frozenset(db.session.scalars(select(Country.code))),
        dialects=frozenset((d.language_code, d.name) for d in db.session.scalars(select(Dialect))),
        currencies=frozenset(currency.alpha_3 for currency in pycountry.currencies),
    )


def profile_loads() -> tuple[_AbstractLoad, ...]:
    """Loader options for everything `row_of` and `write_profile` touch."""
    return (
        selectinload(InterpreterProfile.user),
        selectinload(InterpreterProfile.language_pairs),
        selectinload(InterpreterProfile.dialects),
        selectinload(InterpreterProfile.accreditations).selectinload(Accreditation.country),
        selectinload(InterpreterProfile.specialisations),
    )


def row_of(profile: InterpreterProfile) -> PoolRow:
    """The interpreter as a row of the file."""
    return normalised(
        PoolRow(
            email=profile.user.email,
            name=profile.user.name,
            gender=profile.gender,
            timezone=profile.timezone,
            employment=profile.employment,
            language_pairs=tuple(PairRow(p.language_a, p.language_b, p.proficiency) for p in profile.language_pairs),
            dialects=tuple((d.language_code, d.name) for d in profile.dialects),
            accreditations=tuple(
                AccreditationRow(a.country.code, a.valid_to, a.valid_from) for a in profile.accreditations
            ),
            specialisations=tuple(SpecialisationRow(s.specialisation, s.trained_on) for s in profile.specialisations),
            daily_cap_minutes=profile.daily_cap_minutes,
            rest_gap_minutes=profile.rest_gap_minutes,
            hourly_rate=profile.hourly_rate,
            currency=profile.rate_currency,
            active=profile.active,
        )
    )


def resolve_start(item: AccreditationRow, existing: Sequence[Accreditation], today: date) -> AccreditationRow:
    """A clearance given by expiry only starts where the existing one for its country does, or today."""
    if item.valid_from is not None:
        return item
    same_country = sorted(
        (a for a in existing if a.country.code == item.country and a.valid_from <= item.valid_to),
        key=lambda a: a.valid_to,
    )
    exact = [a for a in same_country if a.valid_to == item.valid_to]
    chosen = exact or same_country[-1:]
    start = chosen[0].valid_from if chosen else min(today, item.valid_to)
    return replace(item, valid_from=start)


def resolve_starts(row: PoolRow, profile: InterpreterProfile | None, today: date) -> PoolRow:
    """The row with every clearance's start filled in (see `resolve_start`)."""
    existing = list(profile.accreditations) if profile is not None else []
    resolved = tuple(resolve_start(item, existing, today) for item in row.accreditations)
    return normalised(replace(row, accreditations=resolved))


def same_start_twice(row: PoolRow) -> str:
    """What is wrong when two resolved clearances of one country start on one day, else ''."""
    seen: set[tuple[str, date | None]] = set()
    for item in row.accreditations:
        key = (item.country, item.valid_from)
        if key in seen:
            return f"Two clearances for {item.country} would start on {item.valid_from}."
        seen.add(key)
    return ""


def new_account(row: PoolRow, now: datetime) -> User:
    """An interpreter's account that no password opens until they set one by reset."""
    user = User(
        email=row.email,
        name=row.name,
        role=Role.INTERPRETER,
        password_hash=no_password(),
        active=True,
        sms_opt_in=False,
        created_at=now,
        password_changed_at=now,
    )
    db.session.add(user)
    return user


def write_profile(
    profile: InterpreterProfile,
    row: PoolRow,
    dialects: Mapping[tuple[str, str], Dialect],
    countries: Mapping[str, Country],
) -> None:
    """Make the profile say what the (resolved) row says; the e-mail address is left alone."""
    profile.user.name = row.name
    profile.gender = row.gender
    profile.timezone = row.timezone
    profile.employment = row.employment
    profile.daily_cap_minutes = row.daily_cap_minutes
    profile.rest_gap_minutes = row.rest_gap_minutes
    profile.hourly_rate = row.hourly_rate
    profile.rate_currency = row.currency
    profile.active = row.active
    profile.dialects = [dialects[key] for key in row.dialects]
    # Existing child rows are reused where their natural key matches: replacing them with new
    # objects would insert before deleting and trip the unique constraints.
    pairs = {(p.language_a, p.language_b): p for p in profile.language_pairs}
    kept_pairs = []
    for pair_row in row.language_pairs:
        pair = pairs.get((pair_row.language_a, pair_row.language_b)) or LanguagePair(
            language_a=pair_row.language_a, language_b=pair_row.language_b
        )
        pair.proficiency = pair_row.proficiency
        kept_pairs.append(pair)
    profile.language_pairs = kept_pairs
    clearances = {(a.country.code, a.valid_from): a for a in profile.accreditations}
    kept_clearances = []
    for item in row.accreditations:
        assert item.valid_from is not None  # resolved by resolve_starts
        clearance = clearances.get((item.country, item.valid_from)) or Accreditation(
            country=countries[item.country], valid_from=item.valid_from
        )
        clearance.valid_to = item.valid_to
        kept_clearances.append(clearance)
    profile.accreditations = kept_clearances
    trained = {s.specialisation: s for s in profile.specialisations}
    kept_training = []
    for entry in row.specialisations:
        record = trained.get(entry.specialisation) or InterpreterSpecialisation(specialisation=entry.specialisation)
        record.trained_on = entry.trained_on
        kept_training.append(record)
    profile.specialisations = kept_training


def write_lookups() -> tuple[dict[tuple[str, str], Dialect], dict[str, Country]]:
    """Dialects by (language, name) and countries by code, for `write_profile`."""
    dialects = {(d.language_code, d.name): d for d in db.session.scalars(select(Dialect))}
    countries = {c.code: c for c in db.session.scalars(select(Country))}
    return dialects, countries
