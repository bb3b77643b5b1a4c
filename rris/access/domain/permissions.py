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
    MANAGE_AUTHORITIES = "manage_authorities"
    USE_API = "use_api"
    MANAGE_WEBHOOKS = "manage_webhooks"  # a department's case-system endpoints: its country's focal point, admins
    VIEW_AUDIT = "view_audit"


_CAPABILITIES: dict[Role, frozenset[Capability]] = {
    Role.CASEWORKER: frozenset({Capability.VIEW_DEPARTMENTS, Capability.BOOK_INTERPRETERS, Capability.USE_API}),
    Role.FOCAL_POINT: frozenset(
        {
            Capability.VIEW_DEPARTMENTS,
            Capability.BOOK_INTERPRETERS,
            Capability.VIEW_REPORTS,
            Capability.MANAGE_ACCOUNTS,
            Capability.USE_API,
            Capability.MANAGE_WEBHOOKS,
            Capability.VIEW_AUDIT,
        }
    ),
    Role.INTERPRETER: frozenset({Capability.USE_API}),
    Role.COORDINATOR: frozenset(
        {
            Capability.VIEW_DEPARTMENTS,
            Capability.VIEW_POOL,
            Capability.MANAGE_POOL,
            Capability.BOOK_INTERPRETERS,
            Capability.VIEW_REPORTS,
            Capability.MANAGE_ACCOUNTS,
            Capability.USE_API,
            Capability.VIEW_AUDIT,
        }
    ),
    Role.ADMIN: frozenset(Capability),
}


# Who holds the pool's keys (accounts, every country's bookings, a country's records) signs in
# with a second factor; everyone else may choose to.
_SECOND_FACTOR_REQUIRED: frozenset[Role] = frozenset({Role.ADMIN, Role.COORDINATOR, Role.FOCAL_POINT})


def second_factor_required(role: Role) -> bool:
    """True when people of `role` must sign in with a second factor."""
    return role in _SECOND_FACTOR_REQUIRED


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


# What the pool's managers answer for: its interpreters and the pool's settings.
POOL_AUDIT_SUBJECTS = frozenset({"interpreter", "setting"})


@dataclass(frozen=True)
class AuditScope:
    """Which entries of the audit trail an actor reads: of some kinds of subject or all (None),
    about one country's records or all (None, entries about no country included)."""

    subject_types: frozenset[str] | None = None
    country_id: int | None = None


def audit_scope(actor: Actor) -> AuditScope | None:
    """The part of the audit trail the actor reads, None for none: administrators all of it, a
    focal point what concerns their country's records, coordinators what concerns the pool."""
    if not can(actor, Capability.VIEW_AUDIT):
        return None
    if actor.role is Role.FOCAL_POINT:
        return AuditScope(country_id=actor.country_id)
    if actor.role is Role.COORDINATOR:
        return AuditScope(subject_types=POOL_AUDIT_SUBJECTS)
    return AuditScope()


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


# -- accounts: who manages whom ------------------------------------------------------------

# How much a role may do; nobody gives a role ranked above their own.
_ROLE_RANK: dict[Role, int] = {
    Role.INTERPRETER: 1,
    Role.CASEWORKER: 1,
    Role.FOCAL_POINT: 2,
    Role.COORDINATOR: 3,
    Role.ADMIN: 4,
}
# Roles an invitation or a role change may give, per role. Interpreters join through the pool's
# pages, which make their profile too, so no one gives that role here.
_GRANTABLE: dict[Role, tuple[Role, ...]] = {
    Role.ADMIN: (Role.CASEWORKER, Role.FOCAL_POINT, Role.COORDINATOR, Role.ADMIN),
    Role.FOCAL_POINT: (Role.CASEWORKER,),
}


@dataclass(frozen=True)
class AccountFacts:
    """An account as the rules see it: whose it is, its role and the country it works for."""

    user_id: int
    role: Role
    country_id: int | None = None


def may_manage_account(actor: Actor, account: AccountFacts) -> bool:
    """True when the actor administers `account`: admins every other account, focal points their
    country's caseworkers, coordinators interpreters. One's own account is kept on one's profile."""
    if actor.user_id == account.user_id or not can(actor, Capability.MANAGE_ACCOUNTS):
        return False
    if actor.role is Role.ADMIN:
        return True
    if actor.role is Role.FOCAL_POINT:
        return account.role is Role.CASEWORKER and account.country_id == actor.country_id
    return actor.role is Role.COORDINATOR and account.role is Role.INTERPRETER


def may_reset_second_factor(actor: Actor, account: AccountFacts) -> bool:
    """True when `actor` may remove every second factor of `account` (a lost device): whoever manages it."""
    return may_manage_account(actor, account)


def grantable_roles(actor: Actor) -> tuple[Role, ...]:
    """The roles the actor may give by invitation or role change, never above their own."""
    return tuple(role for role in _GRANTABLE.get(actor.role, ()) if _ROLE_RANK[role] <= _ROLE_RANK[actor.role])


def may_give(actor: Actor, role: Role, country_id: int | None) -> bool:
    """True when the actor may make someone a `role` working for `country_id` (None: the hub)."""
    if role not in grantable_roles(actor):
        return False
    return actor.role is Role.ADMIN or country_id == actor.country_id


def may_change_role(actor: Actor, account: AccountFacts) -> bool:
    """True when the actor may change the account's role or office (an interpreter's is their profile's)."""
    return may_manage_account(actor, account) and account.role is not Role.INTERPRETER and bool(grantable_roles(actor))
