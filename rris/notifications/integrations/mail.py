"""Sending mail: SMTP in production, a folder of .eml files on a laptop with no SMTP server."""

from __future__ import annotations

import contextlib
import logging
import smtplib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from email.headerregistry import BaseHeader, HeaderRegistry
from email.message import EmailMessage
from email.policy import SMTP, default
from email.utils import make_msgid, parseaddr
from pathlib import Path
from typing import Protocol

from rris.notifications.integrations.plain_mime import plain_bytes
from rris.settings import Settings

log = logging.getLogger(__name__)

SMTP_TIMEOUT_SECONDS = 20


class _HeaderClasses(HeaderRegistry):
    """The standard header registry, each header's class made once: the standard one makes a new
    class at every header it parses, a fifth of the time building a message took."""

    def __init__(self) -> None:
        super().__init__()
        self._made: dict[str, type[BaseHeader]] = {}

    def __getitem__(self, name: str) -> type[BaseHeader]:
        key = name.lower()
        if key not in self._made:
            self._made[key] = super().__getitem__(name)
        return self._made[key]


_HEADERS = _HeaderClasses()
MESSAGE_POLICY = default.clone(header_factory=_HEADERS)
SMTP_POLICY = SMTP.clone(header_factory=_HEADERS)


@dataclass(frozen=True)
class Attachment:
    """A file carried by a message, e.g. an iCalendar invite."""

    filename: str
    content: bytes
    maintype: str
    subtype: str
    params: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class OutgoingMessage:
    """One message to one or more recipients."""

    to: tuple[str, ...]
    subject: str
    text: str
    attachments: tuple[Attachment, ...] = ()
    language: str | None = None  # BCP 47 tag of the text's language, sent as Content-Language
    # (sender, bytes): the message as it goes over the wire from that sender, made ahead (`rendered`).
    wire: tuple[str, bytes] | None = field(default=None, compare=False, repr=False)

    def __post_init__(self) -> None:
        if not self.to:
            raise ValueError("a message needs at least one recipient")


class MailDeliveryUncertain(Exception):
    """The message was handed over but the server's answer never came: it may have been delivered.

    Sending it again could deliver it twice, so callers must not retry it.
    """


class MailSender(Protocol):
    """Delivers messages one after another (over one connection where that applies)."""

    def send(self, message: OutgoingMessage) -> None: ...


class Mailer(Protocol):
    """Something that delivers an OutgoingMessage, alone or in a session of several."""

    def send(self, message: OutgoingMessage) -> None: ...

    def session(self) -> contextlib.AbstractContextManager[MailSender]: ...


def build_email(message: OutgoingMessage, sender: str) -> EmailMessage:
    """The MIME message for `message`, as it goes over the wire."""
    email = EmailMessage(policy=MESSAGE_POLICY)
    email["From"] = sender
    email["To"] = ", ".join(message.to)
    email["Subject"] = message.subject
    email["Message-ID"] = make_msgid(domain="rris")
    email.set_content(message.text)
    for attachment in message.attachments:
        email.add_attachment(
            attachment.content,
            maintype=attachment.maintype,
            subtype=attachment.subtype,
            filename=attachment.filename,
            params=attachment.params,
        )
    if message.language:  # RFC 3282; after the content, which would take Content-* headers along
        email["Content-Language"] = message.language
    return email


def wire_bytes(message: OutgoingMessage, sender: str) -> bytes:
    """`message` from `sender` as it goes over the wire: written directly when it is plain text
    to plain addresses (`plain_mime`), else built by the email package."""
    if not message.attachments:
        plain = plain_bytes(sender, message.to, message.subject, message.text, message.language)
        if plain is not None:
            return plain
    return build_email(message, sender).as_bytes(policy=SMTP_POLICY)


def rendered(message: OutgoingMessage, sender: str) -> OutgoingMessage:
    """`message` with its bytes from `sender` made now, so that sending it later only hands them over."""
    return replace(message, wire=(sender, wire_bytes(message, sender)))


@dataclass
class SmtpMailer:
    """Delivers through an SMTP server."""

    host: str
    port: int
    sender: str
    username: str = ""
    password: str = ""
    starttls: bool = False

    def send(self, message: OutgoingMessage) -> None:
        with self.session() as session:
            session.send(message)

    @contextmanager
    def session(self) -> Iterator[SmtpSession]:
        """One connection for several messages; it reconnects when the server dropped it."""
        session = SmtpSession(self)
        try:
            yield session
        finally:
            session.close()


class SmtpSession:
    """Sends over one SMTP connection, step by step, so it knows whether a failure came before
    the message was handed over (safe to try again) or after (MailDeliveryUncertain)."""

    def __init__(self, mailer: SmtpMailer) -> None:
        self._mailer = mailer
        self._smtp: smtplib.SMTP | None = None
        self._envelope_sender = parseaddr(mailer.sender)[1]  # parsed once for the whole session

    def send(self, message: OutgoingMessage) -> None:
        sender = self._mailer.sender
        if message.wire is not None and message.wire[0] == sender:
            data = message.wire[1]
        else:
            data = wire_bytes(message, sender)
        smtp = self._connection()
        try:
            code, reply = smtp.mail(self._envelope_sender)
            if code != 250:
                raise smtplib.SMTPSenderRefused(code, reply, self._mailer.sender)
            refused = {}
            for recipient in message.to:
                code, reply = smtp.rcpt(recipient)
                if code not in (250, 251):
                    refused[recipient] = (code, reply)
            if len(refused) == len(message.to):
                raise smtplib.SMTPRecipientsRefused(refused)
        except (OSError, smtplib.SMTPException):
            self._reset()
            raise
        try:
            code, reply = smtp.data(data)
        except smtplib.SMTPDataError:
            self._reset()
            raise  # the server answered: it refused the message
        except (OSError, smtplib.SMTPException) as error:
            self.close()
            raise MailDeliveryUncertain(f"no answer after the message was sent: {type(error).__name__}") from error
        if code != 250:
            self._reset()
            raise smtplib.SMTPDataError(code, reply)

    def close(self) -> None:
        if self._smtp is not None:
            with contextlib.suppress(OSError, smtplib.SMTPException):
                self._smtp.quit()
            with contextlib.suppress(OSError):
                self._smtp.close()
            self._smtp = None

    def _connection(self) -> smtplib.SMTP:
        if self._smtp is None:
            mailer = self._mailer
            smtp = smtplib.SMTP(mailer.host, mailer.port, timeout=SMTP_TIMEOUT_SECONDS)
            try:
                if mailer.starttls:
                    smtp.starttls()
                if mailer.username:
                    smtp.login(mailer.username, mailer.password)
                smtp.ehlo_or_helo_if_needed()
            except BaseException:
                smtp.close()
                raise
            self._smtp = smtp
        return self._smtp

    def _reset(self) -> None:
        """After a refusal the transaction must be reset before the next message; a broken
        connection is dropped and opened again next time."""
        if self._smtp is None:
            return
        try:
            self._smtp.rset()
        except (OSError, smtplib.SMTPException):
            self.close()


@dataclass
class FolderMailer:
    """Writes each message to a folder as an .eml file (development without SMTP)."""

    folder: Path
    sender: str

    def send(self, message: OutgoingMessage) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        email = build_email(message, self.sender)
        message_id = email["Message-ID"].strip("<>").replace("@", "_")
        path = self.folder / f"{message_id}.eml"
        path.write_bytes(email.as_bytes())
        log.info("mail to %s saved to %s (no SMTP server configured)", ", ".join(message.to), path)

    @contextmanager
    def session(self) -> Iterator[FolderMailer]:
        """Nothing to open: every message is its own file."""
        yield self


def mailer_from_settings(settings: Settings) -> Mailer:
    """SMTP when RRIS_SMTP_HOST is set, else the instance's mail folder."""
    if settings.smtp_host:
        return SmtpMailer(
            host=settings.smtp_host,
            port=settings.smtp_port,
            sender=settings.mail_from,
            username=settings.smtp_username,
            password=settings.smtp_password,
            starttls=settings.smtp_starttls,
        )
    return FolderMailer(settings.mail_folder, settings.mail_from)


def current_mailer() -> Mailer:
    """The mailer of the running application (set by `rris.app.create_app`)."""
    from flask import current_app

    return current_app.extensions["rris.mailer"]
