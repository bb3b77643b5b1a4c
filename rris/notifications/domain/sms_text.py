"""How much text an SMS carries, and where to shorten one that is too long (pure).

An SMS is sent in GSM-7 when every character is in the GSM 03.38 alphabet (160 characters in one
segment, 153 per segment once split, the extension characters such as € and [ counting twice),
else in UCS-2 (UTF-16 code units: 70 in one segment, 67 per segment once split; a character
outside the Basic Multilingual Plane takes two). Cyrillic, Arabic-script text and Turkish ş, ğ or
ı are UCS-2: two segments hold 134 of their characters, not 320.

A text over its budget is cut at the last space that fits (never inside a word, so never inside
a surrogate pair or before an Arabic vowel mark), an ellipsis says so, and a part that must stay
whole (the link to answer at) is kept, with whatever follows it in the sentence.
"""

from __future__ import annotations

from dataclasses import dataclass

_GSM_BASIC = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿"
    "abcdefghijklmnopqrstuvwxyzäöñüà"
)
_GSM_EXTENSION = frozenset("^{}\\[~]|€\f")
_SINGLE = {"gsm7": 160, "ucs2": 70}
_PER_PART = {"gsm7": 153, "ucs2": 67}
_ELLIPSIS = {"gsm7": "...", "ucs2": "…"}


@dataclass(frozen=True)
class SmsSize:
    """How a text travels: its encoding ("gsm7" or "ucs2"), its length in that encoding's units
    (septets or UTF-16 code units) and the segments it takes."""

    encoding: str
    units: int
    segments: int


def _is_gsm(text: str) -> bool:
    return all(char in _GSM_BASIC or char in _GSM_EXTENSION for char in text)


def _units(text: str, encoding: str) -> int:
    if encoding == "gsm7":
        return sum(2 if char in _GSM_EXTENSION else 1 for char in text)
    return len(text.encode("utf-16-le")) // 2


def sms_size(text: str) -> SmsSize:
    """The encoding, length and segment count of `text` as an SMS."""
    encoding = "gsm7" if _is_gsm(text) else "ucs2"
    units = _units(text, encoding)
    segments = 1 if units <= _SINGLE[encoding] else -(-units // _PER_PART[encoding])
    return SmsSize(encoding, units, segments)


def capacity(encoding: str, segments: int) -> int:
    """How many units `segments` segments hold in `encoding`."""
    return _SINGLE[encoding] if segments == 1 else _PER_PART[encoding] * segments


def fit_sms(text: str, max_segments: int, keep: str | None = None) -> str:
    """`text` if it fits in `max_segments` segments, else shortened at a space with an ellipsis,
    `keep` (when in the text) and what follows it left whole."""
    size = sms_size(text)
    if size.segments <= max_segments:
        return text
    encoding, ellipsis = size.encoding, _ELLIPSIS[size.encoding]
    head, tail = text, ""
    if keep and keep in text:
        before, after = text.split(keep, 1)
        head, tail = before.rstrip(), " " + keep + after
    budget = capacity(encoding, max_segments) - _units(tail, encoding) - _units(ellipsis, encoding)
    return _cut_at_space(head, budget, encoding) + ellipsis + tail


def _cut_at_space(text: str, budget: int, encoding: str) -> str:
    """The longest run of whole words of `text` within `budget` units, without its trailing
    punctuation (a comma before the ellipsis reads badly)."""
    kept, used = "", 0
    for index, word in enumerate(text.split(" ")):
        piece = word if index == 0 else " " + word
        cost = _units(piece, encoding)
        if used + cost > budget:
            break
        kept, used = kept + piece, used + cost
    return kept.rstrip(" ,;:،؛")
