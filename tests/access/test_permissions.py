"""Role capabilities and institutional reach: the rules every view and query relies on."""

import pytest

from rris.access.domain.permissions import Actor, Capability, ReachKind, can, pool_reach, reach
from rris.enums import Role


def test_a_caseworker_reaches_only_their_department():
    actor = Actor(user_id=1, role=Role.CASEWORKER, department_id=7, country_id=3)
    assert reach(actor).kind is ReachKind.DEPARTMENT
    assert reach(actor).department_id == 7


def test_a_focal_point_reaches_their_country():
    actor = Actor(user_id=1, role=Role.FOCAL_POINT, country_id=3)
    assert reach(actor).kind is ReachKind.COUNTRY
    assert reach(actor).country_id == 3


def test_coordinators_and_admins_reach_everything():
    for role in (Role.COORDINATOR, Role.ADMIN):
        assert reach(Actor(user_id=1, role=role)).kind is ReachKind.EVERYTHING


def test_an_interpreter_sees_only_their_own_profile_and_no_institution():
    actor = Actor(user_id=1, role=Role.INTERPRETER, interpreter_id=4)
    assert reach(actor).kind is ReachKind.OWN
    assert pool_reach(actor).kind is ReachKind.OWN
    assert not can(actor, Capability.VIEW_POOL)
    assert not can(actor, Capability.BOOK_INTERPRETERS)


def test_only_pool_managers_see_the_whole_pool():
    caseworker = Actor(user_id=1, role=Role.CASEWORKER, department_id=1, country_id=1)
    coordinator = Actor(user_id=2, role=Role.COORDINATOR)
    assert pool_reach(caseworker).kind is ReachKind.OWN
    assert pool_reach(coordinator).kind is ReachKind.EVERYTHING
    assert can(coordinator, Capability.MANAGE_POOL) and not can(caseworker, Capability.MANAGE_POOL)


def test_an_admin_has_every_capability():
    admin = Actor(user_id=1, role=Role.ADMIN)
    assert all(can(admin, capability) for capability in Capability)


@pytest.mark.parametrize(
    ("role", "fields"),
    [(Role.CASEWORKER, {"country_id": 1}), (Role.FOCAL_POINT, {}), (Role.INTERPRETER, {})],
)
def test_an_actor_without_their_institution_is_refused(role, fields):
    with pytest.raises(ValueError):
        Actor(user_id=1, role=role, **fields)
