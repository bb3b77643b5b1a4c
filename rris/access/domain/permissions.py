"""Who may do what, and how far each role reaches. The one place these rules live.

Two questions, answered here only:
- *capability*: may this role use a feature at all (book, manage the pool, read reports)?
- *reach*: which institutions' records can this person see (all, a country, a department,
  only their own)? `rris.access.queries.scoping` turns a reach into SQL; views never decide it.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from rris.bookings.domain.booking_states import BookingAction, allowed_actions
from rris.enums import BookingState, Role


class Capability(StrEnum):
    """A feature a role may use."""

    VIEW_DEPARTMENTS = "view_departments"
    VIEW_POOL = "view_pool"
    MANAGE_POOL = "manage_pool"
    BOOK_INTERPRETERS = "book_interpreters"
    VIEW_REPORTS = "view_reports"
    MANAGE_ACCOUNTS = "manage_accounts"
    USE_API = "use_api"


_CAPABILITIES: dict[Role, frozenset[Capability]] = {
    Role.CASEWORKER: frozenset({Capability.VIEW_DEPARTMENTS, Capability.BOOK_INTERPRETERS, Capability.USE_API}),
    Role.FOCAL_POINT: frozenset(
        {Capability.VIEW_DEPARTMENTS, Capability.BOOK_INTERPRETERS, Capability.VIEW_REPORTS, Capability.USE_API}
    ),
    Role.INTERPRETER: frozenset({Capability.USE_API}),
    Role.COORDINATOR: frozenset(
        {
            Capability.VIEW_DEPARTMENTS,
            Capability.VIEW_POOL,
            Capability.MANAGE_POOL,
            Capability.BOOK_INTERPRETERS,
            Capability.VIEW_REPORTS,
            Capability.USE_API,
        }
    ),
    Role.ADMIN: frozenset(Capability),
}


class ReachKind(StrEnum):
    """How far a person's view of institutional records extends."""

    EVERYTHING = "everything"
    COUNTRY = "country"
    DEPARTMENT = "department"
    OWN = "own"


@dataclass(frozen=True)
class Actor:
    """The signed-in person as the rules see them: plain values, no ORM objects."""

    user_id: int
    role: Role
    department_id: int | None = None
    country_id: int | None = None
    interpreter_id: int | None = None

    def __post_init__(self) -> None:
        if self.role is Role.CASEWORKER and (self.department_id is None or self.country_id is None):
            raise ValueError("a caseworker acts for a department and its country")
        if self.role is Role.FOCAL_POINT and self.country_id is None:
            raise ValueError("a focal point acts for a country")
        if self.role is Role.INTERPRETER and self.interpreter_id is None:
            raise ValueError("an interpreter acts through their profile")


@dataclass(frozen=True)
class Reach:
    """The extent of what an actor sees: everything, one country, one department, or own records."""

    kind: ReachKind
    country_id: int | None = None
    department_id: int | None = None


def can(actor: Actor, capability: Capability) -> bool:
    """True when the actor's role grants `capability`."""
    return capability in _CAPABILITIES[actor.role]


def capabilities(actor: Actor) -> frozenset[Capability]:
    """Everything the actor's role grants (templates show menus from this)."""
    return _CAPABILITIES[actor.role]


def reach(actor: Actor) -> Reach:
    """How far the actor sees institutional records (departments, their people, bookings)."""
    if actor.role in (Role.COORDINATOR, Role.ADMIN):
        return Reach(ReachKind.EVERYTHING)
    if actor.role is Role.FOCAL_POINT:
        return Reach(ReachKind.COUNTRY, country_id=actor.country_id)
    if actor.role is Role.CASEWORKER:
        return Reach(ReachKind.DEPARTMENT, country_id=actor.country_id, department_id=actor.department_id)
    return Reach(ReachKind.OWN)


def pool_reach(actor: Actor) -> Reach:
    """How far the actor sees interpreter profiles: the pool's managers all, an interpreter their own."""
    if can(actor, Capability.VIEW_POOL):
        return Reach(ReachKind.EVERYTHING)
    return Reach(ReachKind.OWN)


_ACTION_CAPABILITY: dict[BookingAction, Capability] = {
    BookingAction.ASSIGN: Capability.MANAGE_POOL,
    BookingAction.CANCEL: Capability.BOOK_INTERPRETERS,
    BookingAction.RESCHEDULE: Capability.BOOK_INTERPRETERS,
    BookingAction.REOFFER: Capability.BOOK_INTERPRETERS,
    BookingAction.MARK_INTERPRETER_NO_SHOW: Capability.BOOK_INTERPRETERS,
    BookingAction.MARK_APPLICANT_NO_SHOW: Capability.BOOK_INTERPRETERS,
    BookingAction.MARK_WRONG_LANGUAGE: Capability.BOOK_INTERPRETERS,
    BookingAction.MARK_TECHNICAL_FAILURE: Capability.BOOK_INTERPRETERS,
}


def may(actor: Actor, action: BookingAction) -> bool:
    """True when the actor's role may take `action` on a booking they can see.

    Offers, starting and completing are the system's own moves, not a person's.
    """
    capability = _ACTION_CAPABILITY.get(action)
    return capability is not None and can(actor, capability)


def booking_actions(actor: Actor, state: BookingState) -> frozenset[BookingAction]:
    """What the actor may do to a booking in `state`: the state table and the role together."""
    return frozenset(action for action in allowed_actions(state) if may(actor, action))
