"""The mail settings: where the SMTP server is and which addresses to use.

``SIGNAALPUNT_SMTP_URL`` is one URL, as operators know it from other tools:

- ``smtp://user:password@host:587``: STARTTLS when the server offers it (a password is
  never sent in clear all the same: without TLS the sender refuses to log in);
- ``smtp+starttls://…``: STARTTLS or nothing is sent;
- ``smtps://…``: TLS from the first byte (port 465, RFC 8314).

User and password are percent-encoded (``%40`` for ``@``). The parsers raise ``ValueError``
with one line that never repeats the URL (it holds the password); ``MailSettings`` turns
that into a settings error naming the variable, which ``signaalpunt`` prints at start.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from email.headerregistry import Address
from email.utils import formataddr, parseaddr
from typing import Literal
from urllib.parse import unquote, urlsplit

from pydantic import BaseModel, SecretStr, field_validator, model_validator

Security = Literal["starttls_if_offered", "starttls", "tls"]

SCHEMES: dict[str, tuple[Security, int]] = {
    "smtp": ("starttls_if_offered", 587),
    "smtp+starttls": ("starttls", 587),
    "smtps": ("tls", 465),
}

# An address as the SMTP envelope takes it: ASCII, one @, a dotted domain (or localhost).
_ADDRESS = re.compile(r"[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*")
_HOST = re.compile(r"[A-Za-z0-9.\-:\[\]]+")


@dataclass(frozen=True)
class SmtpServer:
    host: str
    port: int
    security: Security
    username: str | None = None
    password: str | None = field(default=None, repr=False)


def parse_smtp_url(url: str) -> SmtpServer:
    """The server described by ``url``; ``ValueError`` (one line, no password) if it is wrong."""
    text = url.strip()
    scheme = text.partition("://")[0].lower() if "://" in text else ""
    if scheme not in SCHEMES:
        raise ValueError(
            "starts with smtp:// (STARTTLS when offered), smtp+starttls:// (STARTTLS "
            "required) or smtps:// (TLS), like smtp://user:password@mail.example.nl:587"
        )
    try:
        parts = urlsplit(text)
        port = parts.port
    except ValueError:
        raise ValueError("the port is a number from 1 to 65535") from None
    host = parts.hostname or ""
    if not host or not _HOST.fullmatch(host):
        raise ValueError("names no host, like smtp://user:password@mail.example.nl:587")
    if parts.path not in ("", "/") or parts.query or parts.fragment:
        raise ValueError("has no path, query or fragment after host:port")
    if port == 0:
        raise ValueError("the port is a number from 1 to 65535")
    username = unquote(parts.username) if parts.username else None
    password = unquote(parts.password) if parts.password is not None else None
    if (username is None) != (password is None):
        raise ValueError(
            "gives a user and a password (user:password@host), or neither; "
            "percent-encode @ and : in them (%40, %3A)"
        )
    security, default_port = SCHEMES[scheme]
    return SmtpServer(host, port or default_port, security, username, password)


def parse_mailbox(value: str, *, display_name: bool) -> str:
    """``value`` as a header mailbox (``Name <a@b.nl>`` or ``a@b.nl``); ``ValueError`` if not."""
    if "\r" in value or "\n" in value:
        raise ValueError("is one line")
    name, address = parseaddr(value.strip())
    if not address or not _ADDRESS.fullmatch(address):
        raise ValueError("is an e-mail address like signaalpunt@gemeente.nl")
    if name and not display_name:
        raise ValueError("is an address only, like loket@gemeente.nl (no name)")
    return formataddr((name, address)) if name else address


def address_of(mailbox: str) -> Address:
    """The parts of a mailbox ``parse_mailbox`` accepted."""
    name, address = parseaddr(mailbox)
    username, _, domain = address.rpartition("@")
    return Address(display_name=name, username=username, domain=domain)


class MailSettings(BaseModel):
    """The mail part of ``bot.settings.Settings`` (inherit it there; prefix SIGNAALPUNT_)."""

    smtp_url: SecretStr | None = None
    mail_from: str | None = None
    loket_email: str | None = None

    @field_validator("smtp_url")
    @classmethod
    def _smtp_url(cls, value: SecretStr | None) -> SecretStr | None:
        if value is None or not value.get_secret_value().strip():
            return None
        parse_smtp_url(value.get_secret_value())
        return value

    @field_validator("mail_from")
    @classmethod
    def _mail_from(cls, value: str | None) -> str | None:
        return parse_mailbox(value, display_name=True) if value and value.strip() else None

    @field_validator("loket_email")
    @classmethod
    def _loket_email(cls, value: str | None) -> str | None:
        return parse_mailbox(value, display_name=False) if value and value.strip() else None

    @model_validator(mode="after")
    def _mail_complete(self) -> MailSettings:
        if self.smtp_url is None:
            if self.loket_email:
                raise ValueError(
                    "SIGNAALPUNT_LOKET_EMAIL needs SIGNAALPUNT_SMTP_URL (the server to send with)"
                )
            return self
        if not self.mail_from:
            raise ValueError(
                "SIGNAALPUNT_MAIL_FROM is required with SIGNAALPUNT_SMTP_URL: the sender "
                "address, like Signaalpunt <signaalpunt@gemeente.nl>"
            )
        return self

    def smtp_server(self) -> SmtpServer | None:
        """The configured server; None when mail is off."""
        if self.smtp_url is None:
            return None
        return parse_smtp_url(self.smtp_url.get_secret_value())
