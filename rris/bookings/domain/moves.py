"""Why a booking is moved: a reason from the list, the mover's own words, or both."""

from __future__ import annotations

from dataclasses import dataclass

from rris.enums import MoveReason


@dataclass(frozen=True)
class MoveWhy:
    """What the mover said: `reason` from the list (worded in each reader's language) and/or
    `text` in their own words (shown as written). Both may be left out."""

    reason: MoveReason | None = None
    text: str | None = None

    @property
    def note(self) -> str | None:
        """The mover's words as kept: trimmed, None when they said nothing."""
        return (self.text or "").strip() or None

    @property
    def lacks_words(self) -> bool:
        """True when "other" was chosen with nothing said: the one reason that needs words."""
        return self.reason is MoveReason.OTHER and self.note is None


NOT_SAID = MoveWhy()
