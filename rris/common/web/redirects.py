"""Where a form may send the browser back to: a path on this site, never another site."""

from __future__ import annotations

from urllib.parse import urlsplit


def same_site_path(target: str | None) -> str | None:
    """`target` when it is a path on this site ("/bookings?page=2"), else None.

    Refused: absolute and scheme-relative URLs ("//evil.example"), and anything a browser would
    read as one: backslashes ("/\\evil.example" opens evil.example) and control characters."""
    if not target or not target.startswith("/") or "\\" in target:
        return None
    if any(ord(character) < 0x20 or ord(character) == 0x7F for character in target):  # noqa: PLR2004
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or target.startswith("//"):
        return None
    return target
