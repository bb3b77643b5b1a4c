"""Sending mail: SMTP in production, a folder of .eml files on a laptop with no SMTP server."""

from __future__ import annotations

import logging
import smtplib
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.utils import make_msgid
from pathlib import Path
from typing import Protocol

from rris.settings import Settings

log = logging.getLogger(__name__)

SMTP_TIMEOUT_SECONDS = 20


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

    def __post_init__(self) -> None:
        if not self.to:
            raise ValueError("a message needs at least one recipient")


class Mailer(Protocol):
    """Something that delivers an OutgoingMessage."""

    def send(self, message: OutgoingMessage) -> None: ...


def build_email(message: OutgoingMessage, sender: str) -> EmailMessage:
    """The MIME message for `message`, as it goes over the wire."""
    email = EmailMessage()
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
    return email


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
        email = build_email(message, self.sender)
        with smtplib.SMTP(self.host, self.port, timeout=SMTP_TIMEOUT_SECONDS) as smtp:
            if self.starttls:
                smtp.starttls()
            if self.username:
                smtp.login(self.username, self.password)
            smtp.send_message(email)


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
