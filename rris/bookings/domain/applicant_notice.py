"""The applicant's notice: what it must say, how its texts are written down, when it is given.

Before an interview the officer shows the applicant, or has read to them, a short notice in the
applicant's language: who the interpreter is (their role, never their name), that they are
neutral and bound to confidentiality, that the applicant may object to them, and what happens
when the connection fails. Each of those four points is one section of every text, so a text
that lost one is refused when it is read, whatever its language.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from rris.enums import BookingState


class NoticePoint(StrEnum):
    """The four things every notice tells the applicant, in the order they are read."""

    ROLE = "role"  # who the interpreter is: a role, never a name
    NEUTRALITY = "neutrality"  # neutral, decides nothing, bound to confidentiality
    OBJECTION = "objection"  # the applicant may object to the interpreter
    CONNECTION = "connection"  # what happens when the connection fails


TITLE_SECTION = "title"
SECTIONS: tuple[str, ...] = (TITLE_SECTION, *NoticePoint)
SOURCE_LANGUAGE = "eng"
# Spoken varieties whose speakers read another written form: Levantine and Iraqi Arabic speakers
# read Modern Standard Arabic, and the notice is written, then read aloud from the page.
WRITTEN_FORMS: dict[str, str] = {"apc": "arb", "acm": "arb"}

# The event in a booking's history; its note holds the ISO 639-3 code of the text read, nothing else.
NOTICE_GIVEN = "notice_given"
# An interpreter is confirmed and the session not over: the moments an interview can begin or resume.
GIVEN_IN_STATES = frozenset({BookingState.CONFIRMED, BookingState.IN_PROGRESS})
# The same officer marking the same text again this soon pressed twice: one reading, recorded once.
SAME_READING = timedelta(minutes=2)


class Direction(StrEnum):
    """How a script runs, for the `dir` attribute of the element that shows the text."""

    LTR = "ltr"
    RTL = "rtl"


@dataclass(frozen=True)
class NoticeText:
    """A title and one paragraph per point, in `NoticePoint` order."""

    title: str
    paragraphs: tuple[str, ...]

    def __post_init__(self) -> None:
        if len(self.paragraphs) != len(NoticePoint):
            raise ValueError(f"a notice has {len(NoticePoint)} paragraphs, one per point")


@dataclass(frozen=True)
class Notice:
    """The notice in one language: its ISO 639-3 code, its BCP 47 tag and its script's direction."""

    language: str
    tag: str
    direction: Direction
    text: NoticeText


class NoticeFormatError(ValueError):
    """A notice's text file does not follow the format; the message names the file and the problem."""


def parse_notice(language: str, source: str) -> Notice:
    """Read one notice file: `#` comments, `lang:` and `dir:` headers, then one `[section]` each.

    A section's lines are joined by spaces. Every section of `SECTIONS` must be there exactly once,
    not empty; the declared direction must be the one the text's script runs in.
    """
    headers: dict[str, str] = {}
    sections: dict[str, list[str]] = {}
    current: list[str] | None = None
    for number, raw in enumerate(source.splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("[") and line.endswith("]"):
            name = line[1:-1].strip()
            if name not in SECTIONS:
                raise NoticeFormatError(f"{language}: line {number}: unknown section [{name}]")
            if name in sections:
                raise NoticeFormatError(f"{language}: line {number}: section [{name}] appears twice")
            current = sections[name] = []
        elif current is not None:
            current.append(line)
        elif ":" in line:
            key, value = line.split(":", 1)
            headers[key.strip()] = value.strip()
        else:
            raise NoticeFormatError(f"{language}: line {number}: text before the first [section]")
    for name in SECTIONS:
        if not sections.get(name):
            raise NoticeFormatError(f"{language}: section [{name}] is missing or empty")
    text = NoticeText(
        title=" ".join(sections[TITLE_SECTION]),
        paragraphs=tuple(" ".join(sections[point]) for point in NoticePoint),
    )
    try:
        direction = Direction(headers.get("dir", ""))
    except ValueError:
        raise NoticeFormatError(f"{language}: the header dir: must be ltr or rtl") from None
    if not headers.get("lang"):
        raise NoticeFormatError(f"{language}: the header lang: (a BCP 47 tag) is missing")
    if direction is not script_direction(text.title + " " + " ".join(text.paragraphs)):
        raise NoticeFormatError(f"{language}: dir: {direction} does not match the script of the text")
    return Notice(language=language, tag=headers["lang"], direction=direction, text=text)


def script_direction(text: str) -> Direction:
    """The direction of the first strongly directional character (Unicode's bidi classes)."""
    for character in text:
        kind = unicodedata.bidirectional(character)
        if kind in ("R", "AL"):
            return Direction.RTL
        if kind == "L":
            return Direction.LTR
    return Direction.LTR


def notice_language(applicant_language: str, available: Iterable[str]) -> str | None:
    """The language of the notice to read to an applicant of `applicant_language`, or None."""
    offered = set(available)
    for candidate in (applicant_language, WRITTEN_FORMS.get(applicant_language)):
        if candidate in offered:
            return candidate
    return None


def may_be_given(state: BookingState) -> bool:
    """True when the notice can be marked given: an interpreter is confirmed, the session not over."""
    return state in GIVEN_IN_STATES


def same_reading(earlier_at: datetime, earlier_language: str | None, language: str, now: datetime) -> bool:
    """True when a mark by the same officer at `now` repeats the one at `earlier_at` (a double press)."""
    return earlier_language == language and timedelta(0) <= now - earlier_at < SAME_READING
