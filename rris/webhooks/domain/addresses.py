"""Where webhooks may be sent: https to a public address; loopback only where a setting allows.

A URL that names or resolves to a private, link-local, loopback or otherwise reserved address
is refused: RRIS must not become a way to reach the machines around it (SSRF).
"""

from __future__ import annotations

import ipaddress
from enum import StrEnum
from urllib.parse import SplitResult, urlsplit

URL_MAX_CHARS = 2000
LOOPBACK_NAMES = frozenset({"localhost", "127.0.0.1", "::1"})


class UrlProblem(StrEnum):
    """Why an endpoint's URL is refused (the pages word each)."""

    MALFORMED = "malformed"
    TOO_LONG = "too_long"
    NOT_HTTPS = "not_https"
    CREDENTIALS = "credentials"
    FRAGMENT = "fragment"
    UNRESOLVABLE = "unresolvable"
    PRIVATE_ADDRESS = "private_address"


def url_problem(url: str, allow_loopback: bool) -> UrlProblem | None:
    """What is wrong with `url` on its face (before resolving its host), or None."""
    if len(url) > URL_MAX_CHARS:
        return UrlProblem.TOO_LONG
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises ValueError on a bad port
    except ValueError:
        return UrlProblem.MALFORMED
    if parts.scheme not in ("https", "http") or not parts.hostname or any(c.isspace() for c in url):
        return UrlProblem.MALFORMED
    if parts.username is not None or parts.password is not None:
        return UrlProblem.CREDENTIALS
    if parts.fragment:
        return UrlProblem.FRAGMENT
    if parts.scheme == "http" and not (allow_loopback and is_loopback_name(parts)):
        return UrlProblem.NOT_HTTPS
    if _literal_address(parts.hostname) is not None:
        return address_problem(parts.hostname, allow_loopback)
    return None


def is_loopback_name(parts: SplitResult) -> bool:
    """True when the URL's host is this machine by name or loopback address."""
    return (parts.hostname or "").lower() in LOOPBACK_NAMES


def address_problem(address: str, allow_loopback: bool) -> UrlProblem | None:
    """Refuse an address that is not public (loopback passes only where allowed)."""
    ip = _literal_address(address)
    if ip is None:
        return UrlProblem.UNRESOLVABLE
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    if ip.is_loopback:
        return None if allow_loopback else UrlProblem.PRIVATE_ADDRESS
    if not ip.is_global or ip.is_multicast:
        return UrlProblem.PRIVATE_ADDRESS
    return None


def addresses_problem(addresses: list[str], allow_loopback: bool) -> UrlProblem | None:
    """Every address a name resolves to must pass: one private answer is enough to refuse."""
    if not addresses:
        return UrlProblem.UNRESOLVABLE
    for address in addresses:
        problem = address_problem(address, allow_loopback)
        if problem is not None:
            return problem
    return None


def _literal_address(host: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        return ipaddress.ip_address(host.split("%")[0])
    except ValueError:
        return None
