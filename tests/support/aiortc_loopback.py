"""Make aiortc (through aioice) offer 127.0.0.1 as its host candidate, so test calls stay on loopback.

aioice leaves loopback addresses out of its host candidates (RFC 8445), so two aiortc peers on one
machine would otherwise talk over the machine's external interface, and inside a namespace with
only `lo` they would have no candidate at all. Tests may not send traffic there, so:

    from tests.support.aiortc_loopback import loopback_ice  # noqa: F401  (fixture)
    pytestmark = pytest.mark.usefixtures("loopback_ice")

Patching the library is deliberate and test-only: production peers must keep aioice's behaviour.
"""

from __future__ import annotations

import aioice.ice
import pytest

LOOPBACK_IPV4 = "127.0.0.1"
LOOPBACK_IPV6 = "::1"


def loopback_host_addresses(use_ipv4: bool, use_ipv6: bool) -> list[str]:
    """Stands in for `aioice.ice.get_host_addresses`: loopback only, IPv4 when allowed."""
    if use_ipv4:
        return [LOOPBACK_IPV4]
    return [LOOPBACK_IPV6] if use_ipv6 else []


@pytest.fixture
def loopback_ice(monkeypatch: pytest.MonkeyPatch) -> None:
    """For this test, aioice gathers 127.0.0.1 as the one host candidate of every connection.

    `Connection.gather_candidates` looks `get_host_addresses` up in the `aioice.ice` module at
    call time, so replacing the module attribute is enough (and monkeypatch restores it)."""
    monkeypatch.setattr(aioice.ice, "get_host_addresses", loopback_host_addresses)
