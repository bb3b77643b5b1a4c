"""Institution scoping as SQL: every scoped read goes through these helpers.

A record outside the actor's reach is simply not found, so views answer 404 and never
reveal that it exists.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any, TypeVar

from sqlalchemy import ColumnElement, Select, and_, exists, false, or_, select, true

from rris.access.domain.case_access import Disclosure, Involvement, OfferFacts, in_message, interpreter_disclosure
from rris.access.domain.permissions import Actor, Capability, Reach, ReachKind, audit_scope, can, pool_reach, reach
from rris.accounts.models.accounts import User
from rris.audit.models.entries import AuditEntry
from rris.bookings.models.bookings import Assignment, Booking, Offer
from rris.enums import BookingState, OfferState, Role
from rris.extensions import db
from rris.pool.models.geography import Department
from rris.pool.models.interpreters import InterpreterProfile

T = TypeVar("T")


class NotVisible(LookupError):
    """The record does not exist or lies outside the actor's reach (the same to the caller)."""


def department_filter(actor: Actor) -> ColumnElement[bool]:
    """WHERE clause on Department for what `actor` may see."""
    return _by_reach(reach(actor), Department.id, Department.country_id, own=false())


def user_filter(actor: Actor) -> ColumnElement[bool]:
    """WHERE clause on User: people of the institutions in reach, and always oneself."""
    scope = reach(actor)
    if scope.kind is ReachKind.EVERYTHING:
        return true()
    mine = User.id == actor.user_id
    if scope.kind is ReachKind.OWN:
        return mine
    in_departments = User.department_id.in_(select(Department.id).where(department_filter(actor)))
    if scope.kind is ReachKind.COUNTRY:
        return mine | in_departments | (User.country_id == scope.country_id)
    return mine | in_departments


def managed_account_filter(actor: Actor) -> ColumnElement[bool]:
    """WHERE clause on User: the accounts the actor administers, the SQL form of `may_manage_account`."""
    if not can(actor, Capability.MANAGE_ACCOUNTS):
        return false()
    others = User.id != actor.user_id
    if actor.role is Role.ADMIN:
        return others
    if actor.role is Role.FOCAL_POINT:
        in_country = User.department_id.in_(select(Department.id).where(Department.country_id == actor.country_id))
        return and_(others, User.role == Role.CASEWORKER, in_country)
    if actor.role is Role.COORDINATOR:
        return and_(others, User.role == Role.INTERPRETER)
    return false()


def managed_accounts(actor: Actor) -> Select[tuple[User]]:
    """Accounts the actor administers, by name."""
    return select(User).where(managed_account_filter(actor)).order_by(User.name, User.id)


def interpreter_filter(actor: Actor) -> ColumnElement[bool]:
    """WHERE clause on InterpreterProfile: the whole pool for its managers, else one's own."""
    scope = pool_reach(actor)
    if scope.kind is ReachKind.EVERYTHING:
        return true()
    if actor.interpreter_id is None:
        return false()
    return InterpreterProfile.id == actor.interpreter_id


def booking_filter(actor: Actor, now: datetime) -> ColumnElement[bool]:
    """WHERE clause on Booking: the institution's bookings, or for an interpreter the jobs
    they may see at `now` (`rris.access.domain.case_access`)."""
    scope = reach(actor)
    if scope.kind is ReachKind.OWN:
        if actor.interpreter_id is None:
            return false()
        return interpreter_booking_filter(actor.interpreter_id, now)
    return _by_reach(scope, Booking.department_id, Booking.country_id, own=false())


def interpreter_booking_filter(interpreter_id: int, now: datetime) -> ColumnElement[bool]:
    """The SQL form of `interpreter_disclosure` being visible: a booking not cancelled of which
    the interpreter holds a leg, or for which an offer to them is open."""
    holds = exists().where(Assignment.booking_id == Booking.id, Assignment.interpreter_id == interpreter_id, held_job())
    offered = exists().where(Offer.booking_id == Booking.id, Offer.interpreter_id == interpreter_id, open_offer(now))
    return and_(Booking.state != BookingState.CANCELLED, or_(holds, offered))


def open_offer(now: datetime) -> ColumnElement[bool]:
    """The SQL form of `offer_is_open`, on Offer with its Booking: pending, unexpired, for the
    booking as it is now, and the booking still looking for an interpreter."""
    return and_(
        Offer.state == OfferState.PENDING,
        Offer.expires_at > now,
        Offer.booking_version == Booking.version,
        Booking.state == BookingState.OFFERED,
    )


def held_job() -> ColumnElement[bool]:
    """The SQL form of holding a leg, on Assignment with its Booking: not released, not cancelled."""
    return and_(Assignment.released_at.is_(None), Booking.state != BookingState.CANCELLED)


def disclosure_of(booking: Booking, actor: Actor, now: datetime, case_details_span: timedelta) -> Disclosure:
    """What of `booking` (one found through `visible_bookings`, or a message's recipient's)
    the actor may see at `now`: everything through their institution; for an interpreter, the
    rule of `rris.access.domain.case_access` with the case details shown until `case_details_span`
    after the session's end."""
    if reach(actor).kind is not ReachKind.OWN:
        return Disclosure.INSTITUTION
    if actor.interpreter_id is None:
        return Disclosure.NOTHING
    involvement = Involvement(
        booking_state=booking.state,
        booking_version=booking.version,
        starts_at=booking.starts_at,
        ends_at=booking.ends_at,
        holds_leg=any(item.interpreter_id == actor.interpreter_id for item in booking.active_assignments),
        offers=tuple(
            OfferFacts(state=item.state, booking_version=item.booking_version, expires_at=item.expires_at)
            for item in booking.offers
            if item.interpreter_id == actor.interpreter_id
        ),
    )
    return interpreter_disclosure(involvement, now, case_details_span)


def lasting_disclosure_of(booking: Booking, actor: Actor, now: datetime) -> Disclosure:
    """What of `booking` the actor may see at `now`, the case details aside (`in_message`): the
    part no span changes, for messages and for whether the job or the offer is theirs."""
    return in_message(disclosure_of(booking, actor, now, timedelta(0)))


def audit_filter(actor: Actor) -> ColumnElement[bool]:
    """WHERE clause on AuditEntry: the part of the trail `audit_scope` gives the actor."""
    scope = audit_scope(actor)
    if scope is None:
        return false()
    clauses: list[ColumnElement[bool]] = []
    if scope.subject_types is not None:
        clauses.append(AuditEntry.subject_type.in_(sorted(scope.subject_types)))
    if scope.country_id is not None:
        clauses.append(AuditEntry.country_id == scope.country_id)
    return and_(true(), *clauses)


def visible_audit_entries(actor: Actor) -> Select[tuple[AuditEntry]]:
    """Audit entries the actor may read, the newest first."""
    return select(AuditEntry).where(audit_filter(actor)).order_by(AuditEntry.id.desc())


def visible_bookings(actor: Actor, now: datetime) -> Select[tuple[Booking]]:
    """Bookings the actor may see at `now`, soonest first."""
    return select(Booking).where(booking_filter(actor, now)).order_by(Booking.starts_at, Booking.id)


def visible_departments(actor: Actor) -> Select[tuple[Department]]:
    """Departments the actor may see, ordered by country and name."""
    return select(Department).where(department_filter(actor)).order_by(Department.country_id, Department.name)


def visible_users(actor: Actor) -> Select[tuple[User]]:
    """Accounts the actor may see."""
    return select(User).where(user_filter(actor)).order_by(User.name)


def visible_interpreters(actor: Actor) -> Select[tuple[InterpreterProfile]]:
    """Interpreter profiles the actor may see."""
    return select(InterpreterProfile).join(InterpreterProfile.user).where(interpreter_filter(actor)).order_by(User.name)


def get_visible(statement: Select[tuple[T]], model: type[T], record_id: Any) -> T:
    """The one record of `model` with `record_id` among `statement`'s rows, else NotVisible."""
    primary_key = model.__mapper__.primary_key[0]  # type: ignore[attr-defined]
    record = db.session.scalar(statement.where(primary_key == record_id).limit(1))
    if record is None:
        raise NotVisible(f"{model.__name__} {record_id}")
    return record


def _by_reach(
    scope: Reach, department_column: Any, country_column: Any, own: ColumnElement[bool]
) -> ColumnElement[bool]:
    if scope.kind is ReachKind.EVERYTHING:
        return true()
    # The columns are Any (a model's attribute or a subquery's), so their comparisons are too.
    if scope.kind is ReachKind.COUNTRY:
        in_country: ColumnElement[bool] = country_column == scope.country_id
        return in_country
    if scope.kind is ReachKind.DEPARTMENT:
        in_department: ColumnElement[bool] = department_column == scope.department_id
        return in_department
    return own
