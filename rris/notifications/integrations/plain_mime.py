"""A plain-text message's bytes written directly, as the email package would write them.

The outbox words hundreds of messages a second, nearly all plain text to one address; the email
package parses every header it is given into objects and folds them back, which cost more than
the rest of wording a message. Here the common case is written as bytes: the same headers in the
same order, the same choice of transfer encoding (`email.contentmanager`'s: 7bit or 8bit when
every line fits, else the shorter of quoted-printable and base64), a subject that needs it as
RFC 2047 encoded words. Anything else (attachments, addresses with display names that need
quoting or are not ASCII, a header that would not fit on a line) returns None, and the caller
lets the email package build it.
"""

from __future__ import annotations

import base64
import binascii
import re
from email import quoprimime
from email.utils import make_msgid

MAX_LINE = 78  # the email policies' max_line_length
_BASE64_CHUNK = MAX_LINE // 4 * 3
# A subject's RFC 2047 words: 42 bytes are 56 in base64, 68 with the word's markers, 77 after "Subject: ".
_WORD_BYTES = 42
# An address alone, or a plain ASCII display name before it: nothing the email package would quote or encode.
_ADDRESS = r"[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+"
_SIMPLE_ADDRESS = re.compile(rf"{_ADDRESS}|[A-Za-z0-9]+(?: [A-Za-z0-9]+)* <{_ADDRESS}>")
_ASCII_WORDS = re.compile(r"[\x21-\x7e]+(?: [\x21-\x7e]+)*")


def plain_bytes(  # noqa: PLR0913 (the message's parts, as OutgoingMessage holds them)
    sender: str, to: tuple[str, ...], subject: str, text: str, language: str | None, message_id: str | None = None
) -> bytes | None:
    """The message as the SMTP policy writes it (CRLF line ends), or None when it is not a simple case."""
    if not all(_simple(address) for address in (sender, *to)):
        return None
    lines = [
        _unstructured("From", sender),
        _unstructured("To", ", ".join(to)),
        _subject(subject),
        _unstructured("Message-ID", message_id or make_msgid(domain="rris")),
    ]
    if None in lines:
        return None
    cte, body = encode_text(text)
    lines += [
        'Content-Type: text/plain; charset="utf-8"',
        f"Content-Transfer-Encoding: {cte}",
        "MIME-Version: 1.0",
    ]
    if language:
        lines.append(_unstructured("Content-Language", language))
        if lines[-1] is None:
            return None
    head = "\r\n".join(line for line in lines if line is not None)
    return head.encode("ascii") + b"\r\n\r\n" + body


def encode_text(text: str) -> tuple[str, bytes]:
    """(transfer encoding, body bytes with CRLF line ends) as `email.contentmanager` chooses them for UTF-8 text."""
    lines = text.encode("utf-8").splitlines()
    if max((len(line) for line in lines), default=0) <= MAX_LINE:
        body = b"\r\n".join(lines) + b"\r\n"
        return ("7bit" if body.isascii() else "8bit"), body
    sniff = b"\n".join(lines[:10]) + b"\n"
    sniff_qp = quoprimime.body_encode(sniff.decode("latin-1"), MAX_LINE)
    if len(sniff_qp) > len(binascii.b2a_base64(sniff)):
        data = b"\n".join(lines) + b"\n"
        encoded = "".join(
            binascii.b2a_base64(data[start : start + _BASE64_CHUNK]).decode("ascii")
            for start in range(0, len(data), _BASE64_CHUNK)
        )
        return "base64", encoded.replace("\n", "\r\n").encode("ascii")
    whole = (b"\n".join(lines) + b"\n").decode("latin-1")
    qp = sniff_qp if len(lines) <= 10 else quoprimime.body_encode(whole, MAX_LINE)
    return "quoted-printable", qp.replace("\n", "\r\n").encode("ascii")


def _simple(address: str) -> bool:
    return _SIMPLE_ADDRESS.fullmatch(address) is not None


def _unstructured(name: str, value: str) -> str | None:
    """`Name: value` when it is plain ASCII words that fit on one line as they are; else None."""
    line = f"{name}: {value}"
    if len(line) > MAX_LINE or _ASCII_WORDS.fullmatch(value) is None or "=?" in value:
        return None
    return line


def _subject(subject: str) -> str | None:
    """The subject as it is when it fits, else in RFC 2047 encoded words, folded; None for line breaks."""
    if "\r" in subject or "\n" in subject or not subject:
        return None
    plain = _unstructured("Subject", subject)
    if plain is not None:
        return plain
    words: list[str] = []
    chunk: list[str] = []
    size = 0
    for char in subject:  # whole characters to a word: at most _WORD_BYTES bytes, 56 in base64
        width = len(char.encode("utf-8"))
        if size + width > _WORD_BYTES:
            words.append("".join(chunk))
            chunk, size = [], 0
        chunk.append(char)
        size += width
    words.append("".join(chunk))
    encoded = (f"=?utf-8?b?{base64.b64encode(word.encode('utf-8')).decode('ascii')}?=" for word in words)
    return "Subject: " + "\r\n ".join(encoded)
