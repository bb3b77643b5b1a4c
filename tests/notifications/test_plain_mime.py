"""A plain-text message's bytes, written directly, read as the email package's own: the same
headers, subject and text in every script RRIS writes, long lines and long subjects included;
what is not simple is left to the email package."""

from __future__ import annotations

from email import message_from_bytes
from email.policy import default

import pytest

from rris.notifications.integrations.mail import SMTP_POLICY, OutgoingMessage, build_email, wire_bytes
from rris.notifications.integrations.plain_mime import plain_bytes

SENDER = "RRIS <bookings@rris.example>"
FOOTER = "Times are in your time zone (Kabul (UTC+04:30)). RRIS, the Regional Remote Interpretation Service."
SUBJECTS = {
    "en": "Tomorrow: Pashto–Serbian, Wed 14 Jan, 12:30 Kabul (UTC+04:30)",
    "ascii": "Booking OB00000001",
    "long ascii": "Still no interpreter, 24 hours to go: OB00000001, Pashto-Serbian, Wed 14 Jan, 12:30",
    "sr_Cyrl": "Сутра: паштунски–српски, сре 14. јан, 12:30 Кабул (UTC+04:30)",
    "ar": "غدًا: البشتو–الصربية، الأربعاء ١٤ يناير، ١٢:٣٠ كابول (UTC+04:30)",
    "fa_AF": "فردا: پشتو–صربی، چهارشنبه ۱۴ جنوری، ۱۲:۳۰ کابل (UTC+04:30)",
    "mixed": "Sutra: paštunski–srpski, sre 14. jan, 12:30 Kabul (UTC+04:30) ﷺ 𝄞",
}
TEXTS = {
    "short ascii lines": "A reminder: your session is in 24 hours.\n\nBooking: OB00000001\n",
    "a long ascii line": f"A reminder.\n{FOOTER}\n",
    "short utf-8 lines": "Подсетник: ваша сесија је за 24 сата.\nПредмет: ОБ-1\n",
    "long utf-8 lines": "یادآوری: جلسه شما ۲۴ ساعت دیگر است. " * 4 + "\n" + FOOTER + "\n",
    "many lines, some long": "\n".join(["Line of a message", FOOTER] * 8) + "\n",
    "empty": "",
}


def _read(data: bytes):  # type: ignore[no-untyped-def]
    return message_from_bytes(data, policy=default)


@pytest.mark.parametrize("subject", SUBJECTS.values(), ids=SUBJECTS.keys())
@pytest.mark.parametrize("text", TEXTS.values(), ids=TEXTS.keys())
def test_a_plain_message_written_directly_reads_as_the_email_package_would_write_it(subject, text):
    message = OutgoingMessage(to=("jelena@mup.rs.example",), subject=subject, text=text, language="sr-Cyrl")
    written = plain_bytes(SENDER, message.to, subject, text, message.language, message_id="<1.2@rris>")
    assert written is not None
    made = build_email(message, SENDER)
    del made["Message-ID"]
    made["Message-ID"] = "<1.2@rris>"
    theirs, ours = _read(made.as_bytes(policy=SMTP_POLICY)), _read(written)

    assert sorted(ours.keys()) == sorted(theirs.keys())
    for name in theirs:
        assert str(ours[name]) == str(theirs[name]), name
    assert ours.get_content() == theirs.get_content()
    assert ours["Content-Transfer-Encoding"] == theirs["Content-Transfer-Encoding"]
    assert all(len(line) <= 78 for line in written.split(b"\r\n")), "every line fits SMTP's limit"
    assert b"\n" not in written.replace(b"\r\n", b""), "lines end in CRLF only"


@pytest.mark.parametrize(
    ("sender", "to", "subject"),
    [
        ("Bureau, Belgrade <b@rris.example>", ("a@b.example",), "Hello"),  # a name the package quotes
        ("Služba <b@rris.example>", ("a@b.example",), "Hello"),  # a name it encodes
        (SENDER, ("jelena@mup.rs.example",), "Two\nlines"),  # a header the package refuses
        (SENDER, ("ана@mup.rs.example",), "Hello"),  # an address that is not ASCII
    ],
)
def test_what_is_not_simple_is_left_to_the_email_package(sender, to, subject):
    assert plain_bytes(sender, to, subject, "Text\n", "en") is None
    message = OutgoingMessage(to=to, subject=subject, text="Text\n")
    if "\n" in subject:
        with pytest.raises(ValueError, match="linefeed"):
            wire_bytes(message, sender)
    else:
        assert _read(wire_bytes(message, sender))["Subject"] == subject
