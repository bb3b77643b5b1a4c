"""The countries RRIS may call: by default the pool's countries and those of the active
interpreters' verified phones; once a coordinator saves a list, that list, every version kept."""

from __future__ import annotations

from datetime import timedelta

import pytest

from rris.common.domain.errors import Conflict, InvalidInput
from rris.enums import Role
from rris.extensions import db
from rris.phone.services.callable_countries import (
    callable_countries,
    interpreter_phone_regions,
    list_history,
    parse_regions,
    save_callable_countries,
)
from tests import factories


@pytest.fixture
def pool(ctx, clock):
    """Departments in Serbia and Türkiye; interpreters in Kabul (verified), Tehran (verified,
    deactivated), Karachi (typed, never verified) and Islamabad (verified); a coordinator."""
    factories.department("RS")
    factories.department("TR")
    verified = clock.now() - timedelta(days=1)
    factories.interpreter(phone="+93701234567", phone_verified_at=verified)
    factories.interpreter(zone="Asia/Tehran", phone="+989121234567", phone_verified_at=verified).active = False
    factories.interpreter(zone="Asia/Karachi", phone="+923001234567")
    factories.interpreter(zone="Asia/Karachi", phone="+923211234567", phone_verified_at=verified)
    hub = factories.user(Role.COORDINATOR, name="Elena Stojanovska")
    db.session.commit()
    return hub


def test_the_default_is_the_pool_and_the_active_interpreters_verified_phones(pool):
    current = callable_countries()
    assert current.is_default and current.version is None
    assert current.regions == {"RS", "TR", "AF", "PK"}  # not Iran: that interpreter is out of the pool
    assert interpreter_phone_regions() == {"AF": 1, "PK": 1}


def test_a_saved_list_replaces_the_default_and_keeps_who_and_when(pool, clock):
    version = save_callable_countries({"RS", "TR", "AF", "IR"}, None, pool, clock.now())
    current = callable_countries()
    assert not current.is_default and current.regions == {"AF", "IR", "RS", "TR"}
    assert (version.regions, version.saved_by_id, version.saved_at) == ("AF IR RS TR", pool.id, clock.now())
    clock.advance(timedelta(hours=2))
    save_callable_countries({"RS", "TR", "IR", "PK"}, version.id, pool, clock.now())
    newest, first = list_history()
    assert (newest.added, newest.removed, newest.first, newest.saved_by) == (("PK",), ("AF",), False, pool.name)
    assert first.first and first.added == ("AF", "IR", "RS", "TR")


def test_an_empty_list_calls_nobody(pool, clock):
    save_callable_countries(set(), None, pool, clock.now())
    assert callable_countries().regions == frozenset() and not callable_countries().is_default


def test_a_save_based_on_a_replaced_version_is_refused(pool, clock):
    first = save_callable_countries({"RS"}, None, pool, clock.now())
    save_callable_countries({"RS", "AF"}, first.id, pool, clock.now())
    with pytest.raises(Conflict, match="Elena Stojanovska changed the list meanwhile"):
        save_callable_countries({"TR"}, first.id, pool, clock.now())
    with pytest.raises(Conflict):
        save_callable_countries({"TR"}, None, pool, clock.now())  # the form showed the default
    assert callable_countries().regions == {"RS", "AF"}


def test_typed_codes_are_read_in_any_case_and_separator():
    assert parse_regions(" af, tr;RS\nxk ") == {"AF", "TR", "RS", "XK"}
    assert parse_regions("AF، PK؛ IR") == {"AF", "PK", "IR"}  # a Dari, Pashto or Urdu keyboard's separators
    assert parse_regions("") == frozenset()


@pytest.mark.parametrize("typed", ["AFG", "ZZ", "A1", "Afghanistan"])
def test_what_is_not_a_country_code_is_refused_naming_the_field(typed):
    with pytest.raises(InvalidInput) as refused:
        parse_regions(f"RS {typed}")
    assert list(refused.value.errors) == ["countries"] and typed.upper() in refused.value.errors["countries"]
