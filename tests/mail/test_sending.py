"""Sending through a real SMTP server on loopback (aiosmtpd): delivery, TLS, AUTH, and how
every refusal is classified, so the outbox loses nothing and sends nothing twice."""

from __future__ import annotations

import asyncio
import ssl
from dataclasses import dataclass, field
from email.message import EmailMessage
from typing import Any

import pytest

from bot.mail.notices import Translate
from bot.mail.sender import MailResult, SmtpSender
from bot.mail.settings import parse_smtp_url
from tests.mail.test_composing import parts
from tests.support.mails import LOKET, signal_mail
from tests.support.net import free_port
from tests.support.smtp_server import Accounts, RecordingHandler, smtp_server
from tests.support.tls import LocalCA

USER, PASSWORD = "signaalpunt@terneuzen.test", "pa:ss@wörd"
CREDENTIALS = "signaalpunt%40terneuzen.test:pa%3Ass%40w%C3%B6rd"


def sender(url: str, context: ssl.SSLContext | None, timeout: float = 5.0) -> SmtpSender:
    return SmtpSender(
        parse_smtp_url(url), tls_context=context, timeout=timeout, local_hostname="sp.test"
    )


@pytest.fixture
def handler() -> RecordingHandler:
    return RecordingHandler()


@pytest.fixture
def port() -> int:
    return free_port()


async def test_a_mail_arrives_whole(
    handler: RecordingHandler, port: int, local_ca: LocalCA, dutch: Translate
) -> None:
    async with smtp_server(handler, port):
        result = await sender(f"smtp://127.0.0.1:{port}", local_ca.client_context()).send(
            signal_mail(dutch, "9", kind="reminder", lines=("Nog niet opgepakt.",))
        )
    assert result == MailResult("sent", "sent", 250)
    [received] = handler.received
    assert received.mail_from == "signaalpunt@terneuzen.test"
    assert received.rcpt_tos == (LOKET,)
    received.raw.decode("ascii")  # valid 7-bit MIME, UTF-8 inside the parts
    mail = received.message()
    assert mail["Message-ID"] == "<signaal.sp-2026-0042.9@terneuzen.test>"
    assert mail["In-Reply-To"] == mail["References"] == "<signaal.sp-2026-0042@terneuzen.test>"
    assert mail["Subject"] == "Re: Signaal SP-2026-0042"
    plain, html = parts(mail)
    assert "Herinnering" in plain
    assert "Nog niet opgepakt." in plain
    assert "Herinnering" in html
    assert "Nog niet opgepakt." in html


@dataclass
class Loopback:
    """A test's SMTP server and the sender that goes to it."""

    handler: RecordingHandler
    port: int
    ca: LocalCA
    dutch: Translate

    async def send(
        self,
        url: str = "smtp://",
        *,
        trusted: bool = True,
        starttls: bool = False,
        implicit_tls: bool = False,
        **server: Any,
    ) -> MailResult:
        """Runs the server (``starttls``/``implicit_tls`` with the test CA's certificate,
        ``server`` as ``smtp_server``) and sends a mail to it through ``url``host:port."""
        context = self.ca.server_context()
        async with smtp_server(
            self.handler,
            self.port,
            starttls=context if starttls else None,
            implicit_tls=context if implicit_tls else None,
            **server,
        ):
            client = self.ca.client_context() if trusted else None
            smtp = sender(f"{url}127.0.0.1:{self.port}", client)
            return await smtp.send(signal_mail(self.dutch))


@pytest.fixture
def loopback(handler: RecordingHandler, port: int, local_ca: LocalCA, dutch: Translate) -> Loopback:
    return Loopback(handler, port, local_ca, dutch)


async def test_starttls_when_the_server_offers_it(loopback: Loopback) -> None:
    assert (await loopback.send("smtp://", starttls=True)).status == "sent"
    assert [r.tls for r in loopback.handler.received] == [True]


async def test_insisting_on_starttls_sends_nothing_in_clear(loopback: Loopback) -> None:
    # The server offers no STARTTLS (or someone in between took it out of its answer).
    result = await loopback.send("smtp+starttls://")
    assert (result.status, result.reason, result.needs_operator) == (
        "temporary",
        "starttls_unavailable",
        True,
    )
    assert loopback.handler.received == []


async def test_starttls_required_and_offered(loopback: Loopback) -> None:
    result = await loopback.send("smtp+starttls://", starttls=True, require_starttls=True)
    assert result.status == "sent"
    assert [r.tls for r in loopback.handler.received] == [True]


async def test_implicit_tls(loopback: Loopback) -> None:
    assert (await loopback.send("smtps://", implicit_tls=True)).status == "sent"
    assert [r.tls for r in loopback.handler.received] == [True]


async def test_login_over_starttls_with_percent_encoded_credentials(loopback: Loopback) -> None:
    accounts = Accounts(USER, PASSWORD)
    result = await loopback.send(f"smtp://{CREDENTIALS}@", starttls=True, accounts=accounts)
    assert result.status == "sent"
    assert [(r.tls, r.login) for r in loopback.handler.received] == [(True, USER)]


async def test_a_wrong_password_keeps_the_mail_and_calls_the_operator(
    loopback: Loopback,
) -> None:
    accounts = Accounts(USER, "another password")
    result = await loopback.send(f"smtp://{CREDENTIALS}@", starttls=True, accounts=accounts)
    assert (result.status, result.reason, result.code) == ("temporary", "auth_failed", 535)
    assert result.needs_operator
    assert loopback.handler.received == []


async def test_a_password_is_never_sent_in_clear(loopback: Loopback) -> None:
    # This server would take AUTH without TLS; the sender does not offer it the password.
    accounts = Accounts(USER, PASSWORD)
    result = await loopback.send(f"smtp://{CREDENTIALS}@", accounts=accounts, auth_in_clear=True)
    assert (result.status, result.reason) == ("temporary", "auth_in_clear_refused")
    assert loopback.handler.received == []


async def test_an_untrusted_certificate_is_refused(loopback: Loopback) -> None:
    # The system's CAs do not know the test CA.
    result = await loopback.send("smtp://", starttls=True, trusted=False)
    assert (result.status, result.reason, result.needs_operator) == (
        "temporary",
        "certificate_refused",
        True,
    )
    assert loopback.handler.received == []


async def test_tls_to_a_server_that_speaks_none_is_temporary(loopback: Loopback) -> None:
    result = await loopback.send("smtps://")
    assert (result.status, result.reason) == ("temporary", "tls_failed")


@pytest.mark.parametrize(
    ("rcpt", "data", "expected"),
    [
        ("450 4.2.1 Mailbox busy", None, MailResult("temporary", "refused", 450, "4.2.1")),
        (None, "451 4.3.0 Try again later", MailResult("temporary", "refused", 451, "4.3.0")),
        ("550 5.1.1 Mailbox unknown", None, MailResult("permanent", "rejected", 550, "5.1.1")),
        (None, "554 5.7.1 Message refused", MailResult("permanent", "rejected", 554, "5.7.1")),
        ("552 Over quota", None, MailResult("permanent", "rejected", 552, None)),
    ],
)
async def test_the_server_refusing_is_classified(
    loopback: Loopback, rcpt: str | None, data: str | None, expected: MailResult
) -> None:
    loopback.handler.rcpt_answers.append(rcpt)
    loopback.handler.data_answers.append(data)
    assert await loopback.send() == expected
    assert loopback.handler.received == []


async def test_a_server_that_never_greets_times_out(
    port: int, local_ca: LocalCA, dutch: Translate
) -> None:
    done = asyncio.Event()

    async def silent(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.read()  # until the client gives up
        writer.close()
        await writer.wait_closed()
        done.set()

    server = await asyncio.start_server(silent, "127.0.0.1", port)
    async with server:
        result = await sender(
            f"smtp://127.0.0.1:{port}", local_ca.client_context(), timeout=0.3
        ).send(signal_mail(dutch))
        await done.wait()
    assert (result.status, result.reason) == ("temporary", "timeout")


async def test_a_connection_reset_mid_session_is_temporary(
    port: int, local_ca: LocalCA, dutch: Translate
) -> None:
    done = asyncio.Event()

    async def hang_up(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        writer.write(b"220 mail.test ESMTP\r\n")
        await writer.drain()
        await reader.readline()  # EHLO
        writer.transport.abort()  # RST, no answer
        await writer.wait_closed()
        done.set()

    server = await asyncio.start_server(hang_up, "127.0.0.1", port)
    async with server:
        result = await sender(f"smtp://127.0.0.1:{port}", local_ca.client_context()).send(
            signal_mail(dutch)
        )
        await done.wait()
    assert result.status == "temporary"
    assert result.reason in {"disconnected", "connect_failed"}


async def test_one_recipient_per_mail(local_ca: LocalCA, dutch: Translate) -> None:
    mail = signal_mail(dutch)
    mail.replace_header("To", "a@terneuzen.test, b@terneuzen.test")
    with pytest.raises(ValueError, match="exactly one recipient"):
        await sender("smtp://127.0.0.1:1", local_ca.client_context()).send(mail)


@dataclass
class TinyOutbox:
    """The outbox's rule in a few lines: sent is done, permanent is dead-lettered,
    temporary stays for the next round (the real outbox adds backoff and alerts)."""

    pending: dict[str, EmailMessage]
    done: list[str] = field(default_factory=list)
    dead: list[str] = field(default_factory=list)
    attempts: int = 0

    async def drain(self, smtp: SmtpSender) -> list[MailResult]:
        results = []
        for key, message in list(self.pending.items()):
            self.attempts += 1
            result = await smtp.send(message)
            results.append(result)
            if result.status == "sent":
                self.done.append(key)
            elif result.status == "permanent":
                self.dead.append(key)
            if result.status != "temporary":
                del self.pending[key]
        return results


async def test_a_server_down_for_a_while_loses_nothing_and_sends_nothing_twice(
    handler: RecordingHandler, port: int, local_ca: LocalCA, dutch: Translate
) -> None:
    keys = [None, "2", "3", "4"]
    outbox = TinyOutbox(
        {
            str(key): signal_mail(dutch, key, kind="reminder" if key else "new_signal")
            for key in keys
        }
    )
    smtp = sender(f"smtp://127.0.0.1:{port}", local_ca.client_context())
    for _ in range(3):  # down: three rounds of backoff
        results = await outbox.drain(smtp)
        assert {(r.status, r.reason) for r in results} == {("temporary", "connect_failed")}
    assert len(outbox.pending) == 4
    # Back, but refusing the first message it gets with a 421 (still starting up).
    handler.data_answers.append("421 4.3.2 System not accepting network messages")
    async with smtp_server(handler, port, starttls=local_ca.server_context()):
        first = await outbox.drain(smtp)
        second = await outbox.drain(smtp)
        third = await outbox.drain(smtp)
    assert [r.status for r in first] == ["temporary", "sent", "sent", "sent"]
    assert [r.status for r in second] == ["sent"]
    assert third == []
    assert outbox.pending == {}
    assert outbox.dead == []
    ids = [r.message()["Message-ID"] for r in handler.received]
    assert sorted(ids) == sorted(
        ["<signaal.sp-2026-0042@terneuzen.test>"]
        + [f"<signaal.sp-2026-0042.{k}@terneuzen.test>" for k in ("2", "3", "4")]
    )
    assert outbox.attempts == 4 * 3 + 4 + 1


async def test_a_rejected_mail_is_dead_lettered_and_the_rest_go(
    handler: RecordingHandler, port: int, local_ca: LocalCA, dutch: Translate
) -> None:
    handler.unknown_mailboxes.add("vertrokken@terneuzen.test")
    outbox = TinyOutbox(
        {
            "anna": signal_mail(dutch, "5", recipient="anna@terneuzen.test"),
            "gone": signal_mail(dutch, "6", recipient="vertrokken@terneuzen.test"),
        }
    )
    async with smtp_server(handler, port):
        await outbox.drain(sender(f"smtp://127.0.0.1:{port}", local_ca.client_context()))
    assert (outbox.done, outbox.dead, outbox.pending) == (["anna"], ["gone"], {})
    assert [r.rcpt_tos for r in handler.received] == [("anna@terneuzen.test",)]
