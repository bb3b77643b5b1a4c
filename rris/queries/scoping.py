"""Institution scoping as SQL: every scoped read goes through these helpers.

A record outside the actor's reach is simply not found, so views answer 404 and never
reveal that it exists.
"""

from __future__ import annotations

from typing import Any, TypeVar

from sqlalchemy import ColumnElement, Select, false, select, true

from rris.domain.permissions import Actor, Reach, ReachKind, pool_reach, reach
from rris.extensions import db
from rris.models import Assignment, Booking, Department, InterpreterProfile, Offer, User

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


def interpreter_filter(actor: Actor) -> ColumnElement[bool]:
    """WHERE clause on InterpreterProfile: the whole pool for its managers, else one's own."""
    scope = pool_reach(actor)
    if scope.kind is ReachKind.EVERYTHING:
        return true()
    if actor.interpreter_id is None:
        return false()
    return InterpreterProfile.id == actor.interpreter_id


def booking_filter(actor: Actor) -> ColumnElement[bool]:
    """WHERE clause on Booking: the institution's bookings, or for an interpreter the jobs
    offered or assigned to them."""
    scope = reach(actor)
    if scope.kind is ReachKind.OWN:
        if actor.interpreter_id is None:
            return false()
        offered = select(Offer.booking_id).where(Offer.interpreter_id == actor.interpreter_id)
        assigned = select(Assignment.booking_id).where(Assignment.interpreter_id == actor.interpreter_id)
        return Booking.id.in_(offered) | Booking.id.in_(assigned)
    return _by_reach(scope, Booking.department_id, Booking.country_id, own=false())


def sees_call_records(actor: Actor, booking_id: int) -> bool:
    """True when the actor may read who was in a booking's call and when: anyone who sees the
    booking through their institution, and interpreters who hold or held one of its legs (an
    interpreter who was only offered the job sees the job, not the people in its call)."""
    if reach(actor).kind is not ReachKind.OWN:
        return True
    if actor.interpreter_id is None:
        return False
    held = select(Assignment.id).where(
        Assignment.booking_id == booking_id, Assignment.interpreter_id == actor.interpreter_id
    )
    return db.session.scalar(held.limit(1)) is not None


def visible_bookings(actor: Actor) -> Select[tuple[Booking]]:
    """Bookings the actor may see, soonest first."""
    return select(Booking).where(booking_filter(actor)).order_by(Booking.starts_at, Booking.id)


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
    if scope.kind is ReachKind.COUNTRY:
        return country_column == scope.country_id
    if scope.kind is ReachKind.DEPARTMENT:
        return department_column == scope.department_id
    return own
