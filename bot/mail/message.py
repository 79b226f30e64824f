"""A mail from plain values: multipart/alternative (plain text and HTML), UTF-8, threaded.

Every mail of a signal threads under the signal's first mail: its ``Message-ID`` is made
from the signal's reference and a key of the message (an outbox id), so a retried send
carries the same id, and ``In-Reply-To``/``References`` name the signal's first mail.
Outlook and Gmail also group by subject, so a signal's mails share one subject ("Re: "
before all but the first).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from email.message import EmailMessage
from email.utils import format_datetime
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

TEMPLATES = Path(__file__).resolve().parent / "templates"
# Message-ID parts: what a reference and an outbox key are made of (RFC 5322 dot-atom-text).
_ID_PART = re.compile(r"[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*")
_URL = re.compile(r"https?://[^\s\"'<>]+")


@dataclass(frozen=True)
class Link:
    url: str
    label: str

    def __post_init__(self) -> None:
        if not _URL.fullmatch(self.url):
            raise ValueError("a mail links to an absolute http(s) URL")


@dataclass(frozen=True)
class MailContent:
    """What a mail says, already in its language; composed by ``notices``."""

    language: str
    subject: str
    heading: str
    facts: Sequence[tuple[str, str]] = ()
    paragraphs: Sequence[str] = ()
    link: Link | None = None
    footer: str = ""
    urgent: bool = False
    urgent_label: str = ""
    direction: str = "ltr"  # "rtl" for a mail in Arabic


@dataclass(frozen=True)
class Threading:
    """The message's own id and, for all but a signal's first mail, the first mail's id."""

    message_id: str
    thread_root: str | None = None


def message_id(domain: str, *parts: str) -> str:
    """A Message-ID made of ``parts`` (letters, digits, ``-``, ``_``, ``.``) at ``domain``."""
    for part in (*parts, domain):
        if not _ID_PART.fullmatch(part):
            raise ValueError(f"{part!r} cannot be part of a Message-ID")
    return f"<{'.'.join(parts).lower()}@{domain.lower()}>"


def signal_message_id(domain: str, reference: str, key: str = "") -> str:
    """The id of the mail ``key`` of signal ``reference``; without a key: the first mail's."""
    return message_id(domain, "signaal", reference, *([key] if key else []))


def signal_threading(domain: str, reference: str, key: str | None) -> Threading:
    """``key`` None: the signal's first mail (the new-signal notice); else a later mail."""
    root = signal_message_id(domain, reference)
    if key is None:
        return Threading(root)
    return Threading(signal_message_id(domain, reference, key), thread_root=root)


class MailRenderer:
    """Renders ``MailContent`` into a message (the templates are HTML-escaped)."""

    def __init__(self) -> None:
        self._env = Environment(
            loader=FileSystemLoader(TEMPLATES),
            autoescape=select_autoescape(["html"], default_for_string=True),
            undefined=StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
            keep_trailing_newline=True,
        )

    def render(
        self,
        content: MailContent,
        *,
        sender: str,
        recipient: str,
        threading: Threading,
        now: datetime,
    ) -> EmailMessage:
        if now.tzinfo is None:
            raise ValueError("now is an aware datetime")
        context = {"mail": content}
        text = self._env.get_template("mail.txt").render(context)
        html = self._env.get_template("mail.html").render(context)
        message = EmailMessage()
        message["From"] = sender
        message["To"] = recipient
        reply = threading.thread_root is not None
        message["Subject"] = f"Re: {content.subject}" if reply else content.subject
        message["Date"] = format_datetime(now.astimezone(UTC))
        message["Message-ID"] = threading.message_id
        if threading.thread_root is not None:
            message["In-Reply-To"] = threading.thread_root
            message["References"] = threading.thread_root
        # RFC 3834: no out-of-office answers to a notice (Outlook reads its own header).
        message["Auto-Submitted"] = "auto-generated"
        message["X-Auto-Response-Suppress"] = "All"
        if content.urgent:
            message["Importance"] = "high"
        message.set_content(text, subtype="plain", charset="utf-8", cte="quoted-printable")
        message.add_alternative(html, subtype="html", charset="utf-8", cte="quoted-printable")
        for part in message.iter_parts():
            del part["MIME-Version"]  # add_alternative gives the new part one; it belongs on top
        # After the parts: setting content clears every Content-* header.
        message["Content-Language"] = content.language
        return message
