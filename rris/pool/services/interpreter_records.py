"""Coordinators add and edit one interpreter by the rules of the pool file.

The form's fields are the file's columns (lists one entry a line) plus what the file leaves out
(phone, notes, clearance references). The entry is checked as a one-row file by
`rris.pool.domain.pool_csv`, then resolved and written by the import's own steps
(`rris.pool.services.pool_import`): one rule for each column, whichever way it is typed in. As on
import, a new interpreter gets no usable password and no e-mail: they choose a password
through "forgot password".
"""

from __future__ import annotations

import csv
import io
import logging
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime

from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from rris.access.domain.permissions import Actor
from rris.access.queries.scoping import NotVisible
from rris.accounts.models.accounts import User
from rris.audit.domain.events import AuditEvent
from rris.audit.services.trail import record_audit
from rris.common.domain.errors import InvalidInput
from rris.common.domain.spreadsheet_cells import spreadsheet_text
from rris.common.services.text_input import too_long
from rris.common.services.transactions import begin_write
from rris.context import current_origin
from rris.extensions import db
from rris.matching.services.conflicts import request_sweep
from rris.phone.services.phone_numbers import normalise_phone
from rris.pool.domain.pool_csv import COLUMNS, PoolRow, parse_pool_csv, pool_cells
from rris.pool.domain.pool_csv_cells import LIST_SEPARATOR, CellReader, read_accreditations
from rris.pool.models.geography import Country
from rris.pool.models.interpreters import InterpreterProfile
from rris.pool.models.languages import Dialect
from rris.pool.services.pool_import import (
    guard_pool_manager,
    new_account,
    pool_catalogue,
    profile_loads,
    resolve_start,
    resolve_starts,
    row_of,
    same_start_twice,
    write_lookups,
    write_profile,
)

log = logging.getLogger(__name__)

# The form's fields: the file's columns (the form leaves `active` to deactivation) and the rest.
ENTRY_FIELDS: tuple[str, ...] = (*(c for c in COLUMNS if c != "active"), "phone", "notes")
LIST_FIELDS: tuple[str, ...] = ("language_pairs", "dialects", "accreditations", "specialisations")
REFERENCE_MARK = "|"  # "RS:2025-01-01/2026-12-31 | MUP 17/2025": a clearance, then its reference
MAX_REFERENCE_CHARS = 100  # Accreditation.reference
MAX_NOTES_CHARS = 2000
EDIT_SWEEP_REASON = "profile edited"


@dataclass(frozen=True)
class _Extras:
    """What the form adds to the file's row: phone, notes, references by (country, start)."""

    phone: str | None
    notes: str | None
    references: dict[tuple[str, date], str | None]


def entry_of(profile: InterpreterProfile) -> dict[str, str]:
    """The profile as the form shows it: the file's cells, lists one entry a line, plus the rest."""
    row = row_of(profile)
    cells = pool_cells(row)
    entry = {name: cells.get(name, "") for name in ENTRY_FIELDS}
    for name in LIST_FIELDS:
        entry[name] = "\n".join(item for item in cells[name].split(LIST_SEPARATOR) if item)
    references: dict[tuple[str, date | None], str | None] = {
        (a.country.code, a.valid_from): a.reference for a in profile.accreditations
    }
    lines = entry["accreditations"].splitlines()
    entry["accreditations"] = "\n".join(
        f"{line} {REFERENCE_MARK} {ref}" if (ref := references.get((item.country, item.valid_from))) else line
        for item, line in zip(row.accreditations, lines, strict=True)
    )
    entry["phone"] = profile.user.phone or ""
    entry["notes"] = profile.notes or ""
    return entry


def create_interpreter(entry: Mapping[str, str], actor: Actor, now: datetime, today: date) -> int:
    """Add an interpreter (account and profile) from the form; returns the profile id.

    `today` is the coordinator's date, the start of clearances given by expiry only.
    Raises InvalidInput naming every field that is wrong; nothing is written then.
    """
    guard_pool_manager(actor, _("Only coordinators add interpreters."))
    begin_write()
    row, extras = _checked(entry, None, today, active=True)
    lookups = write_lookups()  # read before the new rows exist: a query would flush them half-filled
    user = new_account(row, now)
    profile = InterpreterProfile(user=user, created_at=now)
    db.session.add(profile)
    _apply(profile, row, extras, lookups)
    _flush_or_explain()
    record_audit(AuditEvent("interpreter.created", "interpreter", str(profile.id)), actor, current_origin(), now)
    db.session.commit()
    log.info("interpreter %s added by user %s", profile.id, actor.user_id)
    return profile.id


def update_interpreter(interpreter_id: int, entry: Mapping[str, str], actor: Actor, now: datetime, today: date) -> None:
    """Change an interpreter's record from the form; a changed row asks for a conflict sweep.

    Being in the pool or not is left to deactivation. Raises InvalidInput naming every field
    that is wrong; nothing is written then.
    """
    guard_pool_manager(actor, _("Only coordinators edit interpreters."))
    begin_write()
    profile = db.session.scalars(
        select(InterpreterProfile)
        .where(InterpreterProfile.id == interpreter_id)
        .options(*profile_loads())
        .with_for_update(of=InterpreterProfile)
        .execution_options(populate_existing=True)
    ).one_or_none()
    if profile is None:
        db.session.rollback()
        raise NotVisible(f"InterpreterProfile {interpreter_id}")
    row, extras = _checked(entry, profile, today, active=profile.active)
    changed = row != row_of(profile)
    before = entry_of(profile)
    lookups = write_lookups()
    profile.user.email = row.email
    _apply(profile, row, extras, lookups)
    if changed:  # a changed clearance, pair or cap may break a confirmed job
        request_sweep(profile.id, EDIT_SWEEP_REASON, now)
    _flush_or_explain()
    after = entry_of(profile)
    # Which fields changed, never their values: the trail keeps no one's personal data.
    fields = ", ".join(name for name in ENTRY_FIELDS if before[name] != after[name])
    if fields:
        event = AuditEvent("interpreter.updated", "interpreter", str(interpreter_id), details={"fields": fields})
        record_audit(event, actor, current_origin(), now)
    db.session.commit()
    log.info("interpreter %s edited by user %s", interpreter_id, actor.user_id)


def _checked(
    entry: Mapping[str, str], profile: InterpreterProfile | None, today: date, *, active: bool
) -> tuple[PoolRow, _Extras]:
    """The entry as a resolved row plus extras, or InvalidInput with every field's problem."""
    lines, typed_references = _split_references(_text(entry, "accreditations"))
    cells = {name: _text(entry, name) for name in COLUMNS}
    cells.update({name: LIST_SEPARATOR.join(_lines(cells[name])) for name in LIST_FIELDS})
    cells.update(accreditations=LIST_SEPARATOR.join(lines), active="yes" if active else "no")
    catalogue = pool_catalogue()
    parsed = parse_pool_csv(_one_row_file(cells), catalogue)
    errors: dict[str, str] = {}
    for problem in [*parsed.file_problems, *(p for r in parsed.rows for p in r.problems)]:
        errors[problem.column] = " ".join(filter(None, (errors.get(problem.column), problem.message)))
    row = parsed.rows[0].value if parsed.rows and not errors else None
    if row is not None:
        row = resolve_starts(row, profile, today)
        if clash := same_start_twice(row):
            errors["accreditations"] = clash
        _check_address(row.email, profile, errors)
    phone = _check_phone(_text(entry, "phone"), errors)
    notes = _text(entry, "notes")
    if len(notes) > MAX_NOTES_CHARS:
        errors["notes"] = too_long(MAX_NOTES_CHARS)
    if any(len(reference) > MAX_REFERENCE_CHARS for reference in typed_references):
        message = ngettext(
            "A reference has at most %(num)d character.",
            "A reference has at most %(num)d characters.",
            MAX_REFERENCE_CHARS,
        )
        errors.setdefault("accreditations", message)
    if errors or row is None:
        db.session.rollback()
        raise InvalidInput(errors)
    # Each line's reference belongs to the clearance that line becomes: (country, resolved start).
    existing = list(profile.accreditations) if profile is not None else []
    references: dict[tuple[str, date], str | None] = {}
    for line, reference in zip(lines, typed_references, strict=True):
        for item in read_accreditations(CellReader(0, {"accreditations": line}), catalogue):
            resolved = resolve_start(item, existing, today)
            references[(resolved.country, resolved.valid_from or today)] = reference or None
    return row, _Extras(phone=phone, notes=notes or None, references=references)


def _check_phone(text: str, errors: dict[str, str]) -> str | None:
    if not text:
        return None
    try:
        return normalise_phone(text)
    except InvalidInput as problem:
        errors.update(problem.errors)
        return None


def _apply(
    profile: InterpreterProfile,
    row: PoolRow,
    extras: _Extras,
    lookups: tuple[dict[tuple[str, str], Dialect], dict[str, Country]],
) -> None:
    write_profile(profile, row, *lookups)
    for clearance in profile.accreditations:
        clearance.reference = extras.references.get((clearance.country.code, clearance.valid_from))
    profile.notes = extras.notes
    user = profile.user
    if extras.phone != user.phone:  # a number someone else typed is not verified by its holder
        user.phone = extras.phone
        user.phone_verified_at = None
        user.sms_opt_in = False


def _check_address(email: str, profile: InterpreterProfile | None, errors: dict[str, str]) -> None:
    owner = db.session.scalar(select(User).where(User.email == email))
    if owner is None or (profile is not None and owner.id == profile.user_id):
        return
    if owner.interpreter_profile is not None:
        errors["email"] = _("%(name)s already has this address; edit that interpreter instead.", name=owner.name)
    else:
        errors["email"] = _("This address belongs to another account.")


def _flush_or_explain() -> None:
    # Two coordinators adding one address at once: the unique index decides, the loser is told.
    try:
        db.session.flush()
    except IntegrityError as error:
        db.session.rollback()
        if "email" not in str(error.orig).lower():
            raise
        raise InvalidInput({"email": _("This address was just given to another account.")}) from None


def _split_references(text: str) -> tuple[list[str], list[str]]:
    clearances, references = [], []
    for line in _lines(text):
        clearance, _mark, reference = line.partition(REFERENCE_MARK)
        clearances.append(clearance.strip())
        references.append(reference.strip())
    return clearances, references


def _one_row_file(cells: Mapping[str, str]) -> str:
    # Marked like any file RRIS writes, so the parser's unmarking gives back what was typed.
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    writer.writerow([spreadsheet_text(cells.get(name, "")) for name in COLUMNS])
    return out.getvalue()


def _lines(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]


def _text(entry: Mapping[str, str], name: str) -> str:
    return (entry.get(name) or "").strip()
