"""Admins keep the countries' asylum authorities and their departments: names, new offices, closing one."""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy import func, select

from rris.access.domain.permissions import Capability, can
from rris.accounts.models.accounts import User
from rris.accounts.services.account_audit import Acting, audit_record
from rris.bookings.domain.booking_states import FINAL_STATES
from rris.bookings.models.bookings import Booking
from rris.common.domain.errors import Conflict, Forbidden, InvalidInput
from rris.common.services.text_input import required_text
from rris.common.services.transactions import begin_write
from rris.enums import Role
from rris.extensions import db
from rris.pool.models.geography import Country, Department
from rris.timeutil import is_valid_zone

MAX_AUTHORITY_CHARS = 200  # Country.authority
MAX_DEPARTMENT_CHARS = 200  # Department.name
MAX_CITY_CHARS = 100  # Department.city


@dataclass(frozen=True)
class Office:
    """A department as its form gives it."""

    name: str
    city: str
    timezone: str


def rename_authority(country_id: int, name: str, acting: Acting) -> None:
    """Give the country's asylum authority its new name."""
    _guard(acting)
    authority = required_text(name, "authority", _("Enter the authority's name."), MAX_AUTHORITY_CHARS)
    begin_write()
    country = db.session.get_one(Country, country_id)
    before = country.authority
    country.authority = authority
    audit_record("authority.renamed", "authority", str(country.id), acting, None, {"from": before}, country.id)
    db.session.commit()


def create_department(country_id: int, office: Office, acting: Acting) -> int:
    """Open a department of the country's authority; returns its id."""
    _guard(acting)
    begin_write()
    country = db.session.get_one(Country, country_id)
    name, city, zone = _checked(office, country.id, None)
    department = Department(country_id=country.id, name=name, city=city, timezone=zone or country.timezone)
    db.session.add(department)
    db.session.flush()
    audit_record("department.created", "department", str(department.id), acting, None, {}, country.id)
    db.session.commit()
    return department.id


def update_department(department_id: int, office: Office, acting: Acting) -> None:
    """Rename a department or correct its city and zone."""
    _guard(acting)
    begin_write()
    department = db.session.get_one(Department, department_id)
    before = department.name
    department.name, department.city, zone = _checked(office, department.country_id, department.id)
    department.timezone = zone or department.timezone
    audit_record(
        "department.updated", "department", str(department.id), acting, None, {"from": before}, department.country_id
    )
    db.session.commit()


def close_department(department_id: int, reason: str, acting: Acting) -> None:
    """Close a department with no sessions ahead and no active caseworkers; Conflict says which stands in the way."""
    _guard(acting)
    why = required_text(reason, "reason", _("Say why; the audit trail keeps the reason."), 500)
    begin_write()
    department = db.session.get_one(Department, department_id)
    if not department.active:
        db.session.rollback()
        raise Conflict(_("The department is closed already."))
    ahead = (
        db.session.scalar(
            select(func.count(Booking.id)).where(
                Booking.department_id == department.id,
                Booking.ends_at > acting.now,
                Booking.state.not_in(FINAL_STATES),
            )
        )
        or 0
    )
    staff = (
        db.session.scalar(
            select(func.count(User.id)).where(
                User.department_id == department.id, User.role == Role.CASEWORKER, User.active.is_(True)
            )
        )
        or 0
    )
    problems = []
    if ahead:
        problems.append(
            ngettext(
                "%(num)d session is still ahead; cancel or move it first.",
                "%(num)d sessions are still ahead; cancel or move them first.",
                ahead,
            )
        )
    if staff:
        problems.append(
            ngettext(
                "%(num)d caseworker still works there; move or deactivate them first.",
                "%(num)d caseworkers still work there; move or deactivate them first.",
                staff,
            )
        )
    if problems:
        db.session.rollback()
        raise Conflict(" ".join(problems))
    department.active = False
    audit_record("department.closed", "department", str(department.id), acting, why, {}, department.country_id)
    db.session.commit()


def reopen_department(department_id: int, acting: Acting) -> None:
    """Open a closed department again."""
    _guard(acting)
    begin_write()
    department = db.session.get_one(Department, department_id)
    department.active = True
    audit_record("department.reopened", "department", str(department.id), acting, None, {}, department.country_id)
    db.session.commit()


def _guard(acting: Acting) -> None:
    if not can(acting.actor, Capability.MANAGE_AUTHORITIES):
        raise Forbidden(_("Only admins keep the authorities and their departments."))


def _checked(office: Office, country_id: int, department_id: int | None) -> tuple[str, str, str]:
    errors: dict[str, str] = {}
    name = city = ""
    try:
        name = required_text(office.name, "name", _("Enter the department's name."), MAX_DEPARTMENT_CHARS)
    except InvalidInput as problem:
        errors.update(problem.errors)
    try:
        city = required_text(office.city, "city", _("Enter the city."), MAX_CITY_CHARS)
    except InvalidInput as problem:
        errors.update(problem.errors)
    zone = (office.timezone or "").strip()
    if zone and not is_valid_zone(zone):
        errors["timezone"] = _("Choose a time zone from the list, like Europe/Belgrade.")
    same_name = select(Department.id).where(Department.country_id == country_id, Department.name == name)
    if department_id is not None:
        same_name = same_name.where(Department.id != department_id)
    if name and db.session.scalar(same_name) is not None:
        errors["name"] = _("This country has a department of that name already.")
    if errors:
        db.session.rollback()
        raise InvalidInput(errors)
    return name, city, zone
