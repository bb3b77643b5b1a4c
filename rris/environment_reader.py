"""Reading typed values out of environment variables, for `rris.settings`.

Each reader takes the variable's name and a default, and refuses a malformed value with a
`SettingsError` whose message names the variable (never a secret's value).
"""

from __future__ import annotations

import phonenumbers

__all__ = ["EnvironmentReader", "SettingsError"]


class SettingsError(ValueError):
    """A setting is missing or malformed; the message names the variable."""


class EnvironmentReader:
    """Typed values of environment variables; a bad one raises SettingsError naming it."""

    def __init__(self, environ: dict[str, str]) -> None:
        self._environ = environ

    def text(self, name: str, default: str) -> str:
        return self._environ.get(name, "").strip() or default

    def positive_int(self, name: str, default: int) -> int:
        value = self._whole_number(name)
        if value is None:
            return default
        if value <= 0:
            raise SettingsError(f"{name} must be greater than zero")
        return value

    def bounded_int(self, name: str, default: int, lowest: int, highest: int) -> int:
        value = self._whole_number(name)
        if value is None:
            return default
        if not lowest <= value <= highest:
            raise SettingsError(f"{name} must be from {lowest} to {highest}, not {value}")
        return value

    def _whole_number(self, name: str) -> int | None:
        raw = self._environ.get(name, "").strip()
        if not raw:
            return None
        try:
            return int(raw)
        except ValueError:
            raise SettingsError(f"{name} must be a whole number, not {raw!r}") from None

    def port(self, name: str, default: int) -> int:
        value = self.positive_int(name, default)
        if value > 65535:
            raise SettingsError(f"{name} must be a port number (1-65535)")
        return value

    def url_list(self, name: str, schemes: tuple[str, ...]) -> tuple[str, ...]:
        urls = tuple(part.strip() for part in self._environ.get(name, "").split(",") if part.strip())
        for url in urls:
            if not url.startswith(schemes):
                raise SettingsError(f"{name}: {url!r} must start with {' or '.join(schemes)}")
        return urls

    def e164(self, name: str) -> str:
        # The operator's own Twilio numbers: any valid number (a toll-free dial-in is fine), read
        # by the numbering plans as people's numbers are. Settings sit below the domain, whose
        # `read_phone_number` (mobiles only, for people) they cannot import.
        raw = self._environ.get(name, "").strip()
        if not raw:
            return ""
        try:
            number = phonenumbers.parse(raw, None)
        except phonenumbers.NumberParseException:
            number = None
        if number is None or not raw.startswith("+") or not phonenumbers.is_valid_number(number):
            raise SettingsError(
                f"{name} must be a valid number in international form, like +381 11 123 4567, not {raw!r}"
            )
        return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)

    def retired_secrets(self, name: str) -> tuple[tuple[int, str], ...]:
        found: list[tuple[int, str]] = []
        for part in self._environ.get(name, "").split(","):
            if not part.strip():
                continue
            version, colon, secret = part.strip().partition(":")
            if not colon or not version.isdigit() or int(version) <= 0:
                raise SettingsError(f"{name}: each entry is VERSION:SECRET, the version a whole number above zero")
            found.append((int(version), secret.strip()))
        return tuple(found)

    def boolean(self, name: str, default: bool) -> bool:
        raw = self._environ.get(name, "").strip().lower()
        if not raw:
            return default
        if raw in ("1", "true", "yes", "on"):
            return True
        if raw in ("0", "false", "no", "off"):
            return False
        raise SettingsError(f"{name} must be true or false, not {raw!r}")
