"""Who manages whom, and the roles one may give: the rule over plain values."""

import pytest

from rris.access.domain.permissions import (
    AccountFacts,
    Actor,
    grantable_roles,
    may_change_role,
    may_give,
    may_manage_account,
)
from rris.enums import Role

SERBIA, ALBANIA = 1, 2
ADMIN = Actor(user_id=1, role=Role.ADMIN)
COORDINATOR = Actor(user_id=2, role=Role.COORDINATOR)
FOCAL_POINT = Actor(user_id=3, role=Role.FOCAL_POINT, country_id=SERBIA)
CASEWORKER = Actor(user_id=4, role=Role.CASEWORKER, department_id=7, country_id=SERBIA)


@pytest.mark.parametrize(
    ("actor", "account", "manages"),
    [
        (ADMIN, AccountFacts(10, Role.ADMIN), True),
        (ADMIN, AccountFacts(1, Role.ADMIN), False),  # not oneself
        (FOCAL_POINT, AccountFacts(10, Role.CASEWORKER, SERBIA), True),
        (FOCAL_POINT, AccountFacts(10, Role.CASEWORKER, ALBANIA), False),
        (FOCAL_POINT, AccountFacts(10, Role.FOCAL_POINT, SERBIA), False),
        (FOCAL_POINT, AccountFacts(10, Role.ADMIN), False),
        (COORDINATOR, AccountFacts(10, Role.INTERPRETER), True),
        (COORDINATOR, AccountFacts(10, Role.CASEWORKER, SERBIA), False),
        (CASEWORKER, AccountFacts(10, Role.CASEWORKER, SERBIA), False),
    ],
)
def test_who_manages_whom(actor, account, manages):
    assert may_manage_account(actor, account) is manages


def test_nobody_gives_a_role_above_their_own_and_interpreters_join_through_the_pool():
    assert grantable_roles(ADMIN) == (Role.CASEWORKER, Role.FOCAL_POINT, Role.COORDINATOR, Role.ADMIN)
    assert grantable_roles(FOCAL_POINT) == (Role.CASEWORKER,)
    assert grantable_roles(COORDINATOR) == () and grantable_roles(CASEWORKER) == ()
    assert may_give(FOCAL_POINT, Role.CASEWORKER, SERBIA) and not may_give(FOCAL_POINT, Role.CASEWORKER, ALBANIA)
    assert not may_give(FOCAL_POINT, Role.FOCAL_POINT, SERBIA)
    assert not may_change_role(COORDINATOR, AccountFacts(10, Role.INTERPRETER))
    assert not may_change_role(ADMIN, AccountFacts(10, Role.INTERPRETER))
