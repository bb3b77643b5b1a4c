"""From an account to the Actor the permission rules reason about."""

from __future__ import annotations

from rris.access.domain.permissions import AccountFacts, Actor
from rris.accounts.models.accounts import User


def actor_of(user: User) -> Actor:
    """The Actor for `user`: role plus the institution they act for."""
    profile = user.interpreter_profile
    return Actor(
        user_id=user.id,
        role=user.role,
        department_id=user.department_id,
        country_id=user.home_country_id,
        interpreter_id=profile.id if profile is not None else None,
    )


def account_facts(user: User) -> AccountFacts:
    """The account as the administration rules see it."""
    return AccountFacts(user_id=user.id, role=user.role, country_id=user.home_country_id)
