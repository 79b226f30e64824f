"""A real SMTP server on loopback (aiosmtpd) that records what it accepts.

It runs in the test's event loop. Its answers can be scripted per command, so a test can
have it refuse (4xx) or reject (5xx) exactly like a mail server does, and it can be stopped
and started again on the same port (a server that is down for a while).
"""

from __future__ import annotations

import asyncio
import contextlib
import ssl
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from typing import Any

from aiosmtpd.smtp import SMTP, AuthResult, Envelope, LoginPassword, Session

OK = "250 2.0.0 OK"


@dataclass(frozen=True)
class Received:
    mail_from: str
    rcpt_tos: tuple[str, ...]
    raw: bytes
    tls: bool
    login: str | None

    def message(self) -> EmailMessage:
        parsed = message_from_bytes(self.raw, policy=policy.default)
        assert isinstance(parsed, EmailMessage)
        return parsed


@dataclass
class RecordingHandler:
    """Accepts everything unless told otherwise: ``rcpt_answers``/``data_answers`` are
    used up one per command (``None`` means accept)."""

    received: list[Received] = field(default_factory=list)
    rcpt_answers: list[str | None] = field(default_factory=list)
    data_answers: list[str | None] = field(default_factory=list)
    unknown_mailboxes: set[str] = field(default_factory=set)

    async def handle_RCPT(
        self, server: SMTP, session: Session, envelope: Envelope, address: str, options: Any
    ) -> str:
        if address in self.unknown_mailboxes:
            return "550 5.1.1 Mailbox unavailable"
        answer = self.rcpt_answers.pop(0) if self.rcpt_answers else None
        if answer:
            return answer
        envelope.rcpt_tos.append(address)
        return OK

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        answer = self.data_answers.pop(0) if self.data_answers else None
        if answer:
            return answer
        content = envelope.original_content or b""
        login = session.auth_data
        self.received.append(
            Received(
                mail_from=str(envelope.mail_from),
                rcpt_tos=tuple(envelope.rcpt_tos),
                raw=bytes(content),
                # Implicit TLS or after STARTTLS: the transport carries it.
                tls=server.transport is not None
                and server.transport.get_extra_info("ssl_object") is not None,
                login=login.decode() if isinstance(login, bytes) else None,
            )
        )
        return OK


@dataclass(frozen=True)
class Accounts:
    """AUTH PLAIN/LOGIN against a fixed user and password."""

    username: str
    password: str

    def __call__(
        self, server: SMTP, session: Session, envelope: Envelope, mechanism: str, data: Any
    ) -> AuthResult:
        good = (
            isinstance(data, LoginPassword)
            and data.login.decode() == self.username
            and data.password.decode() == self.password
        )
        return AuthResult(success=good, handled=False, auth_data=data.login if good else None)


@contextlib.asynccontextmanager
async def smtp_server(
    handler: RecordingHandler,
    port: int,
    *,
    starttls: ssl.SSLContext | None = None,
    implicit_tls: ssl.SSLContext | None = None,
    require_starttls: bool = False,
    accounts: Accounts | None = None,
    auth_in_clear: bool = False,
) -> AsyncIterator[asyncio.AbstractServer]:
    """An SMTP server on 127.0.0.1:``port`` until the block ends. With ``accounts`` it
    requires AUTH, over TLS unless ``auth_in_clear`` (a badly set up server)."""
    extra: dict[str, Any] = {}
    if accounts is not None:
        extra = {
            "authenticator": accounts,
            # aiosmtpd warns against requiring AUTH without TLS; offering it is enough.
            "auth_required": not auth_in_clear,
            "auth_require_tls": not auth_in_clear,
        }

    connections: list[SMTP] = []

    def protocol() -> SMTP:
        connection = SMTP(
            handler,
            hostname="mail.signaalpunt.test",
            tls_context=starttls,
            require_starttls=require_starttls,
            **extra,
        )
        connections.append(connection)
        return connection

    loop = asyncio.get_running_loop()
    server = await loop.create_server(protocol, "127.0.0.1", port, ssl=implicit_tls)
    try:
        yield server
    finally:
        server.close()
        await server.wait_closed()
        # Connections a client left open (a failed handshake) end with the server: the
        # socket's own transport (under TLS after STARTTLS) closes it in a callback that
        # abort() schedules, which runs before this coroutine resumes from sleep(0).
        for connection in connections:
            raw = connection._original_transport or connection.transport
            if isinstance(raw, asyncio.Transport):
                raw.abort()
        await asyncio.sleep(0)
