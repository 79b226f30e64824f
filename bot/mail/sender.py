"""Sending one mail over SMTP (aiosmtplib), answered by a ``MailResult``, never an exception.

What the outbox does with a result:

- ``sent``: done. The server took the message (250 after DATA); trouble after that (QUIT
  not answered) does not change it.
- ``temporary``: try again later with backoff. A 4xx answer, a refused, reset or timed-out
  connection, a TLS handshake that did not finish. ``needs_operator`` marks those that will
  not heal by waiting (a wrong password, a certificate we do not trust, STARTTLS required but
  not offered): the outbox keeps the mail and alerts an administrator.
- ``permanent``: dead-letter and alert. A 5xx answer to the sender, the recipient or the
  message (550 mailbox unknown, 554 refused).

One connection per mail, one recipient per mail: a refusal then concerns exactly this
message, and "sent" means sent to this recipient. A connection that breaks after the
message's last byte but before the server's 250 is reported temporary, and the retry may
deliver it twice (RFC 1047); the retry has the same ``Message-ID``, which receiving servers
and mail programs use to drop the copy.
"""

from __future__ import annotations

import re
import ssl
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import getaddresses
from typing import Literal

import aiosmtplib

from .settings import SmtpServer, address_of

MailStatus = Literal["sent", "temporary", "permanent"]

_ENHANCED = re.compile(r"([245]\.\d{1,3}\.\d{1,3})\b")
OPERATOR_REASONS = frozenset(
    {"auth_failed", "auth_in_clear_refused", "starttls_unavailable", "certificate_refused"}
)


@dataclass(frozen=True)
class MailResult:
    status: MailStatus
    # A stable word for logs and alerts: sent, refused (4xx), rejected (5xx),
    # connect_failed, disconnected, timeout, tls_failed, certificate_refused,
    # starttls_unavailable, auth_failed, auth_in_clear_refused, smtp_error.
    reason: str
    code: int | None = None  # the server's reply code, when it answered
    enhanced: str | None = None  # RFC 3463 status such as 5.1.1, when it gave one

    @property
    def needs_operator(self) -> bool:
        return self.reason in OPERATOR_REASONS


SENT = MailResult("sent", "sent", 250)


class SmtpSender:
    """Sends through ``server``. ``tls_context`` is what the server's certificate is checked
    against (default: the system's CAs); verification is never switched off."""

    def __init__(
        self,
        server: SmtpServer,
        *,
        tls_context: ssl.SSLContext | None = None,
        timeout: float = 30.0,
        local_hostname: str | None = None,
    ) -> None:
        self._server = server
        self._tls = tls_context or ssl.create_default_context()
        self._timeout = timeout
        self._local_hostname = local_hostname

    async def send(self, message: EmailMessage) -> MailResult:
        sender = address_of(str(message["From"])).addr_spec
        recipients = [address for _, address in getaddresses(message.get_all("To", []))]
        if len(recipients) != 1 or message["Cc"] or message["Bcc"]:
            raise ValueError("a mail goes to exactly one recipient (To)")
        server = self._server
        smtp = aiosmtplib.SMTP(
            hostname=server.host,
            port=server.port,
            use_tls=server.security == "tls",
            start_tls={"tls": False, "starttls": True, "starttls_if_offered": None}[
                server.security
            ],
            tls_context=self._tls,
            timeout=self._timeout,
            local_hostname=self._local_hostname,
        )
        try:
            await smtp.connect()
            if server.username is not None:
                if not _encrypted(smtp):
                    return MailResult("temporary", "auth_in_clear_refused")
                await smtp.login(server.username, server.password or "")
            await smtp.send_message(message, sender=sender, recipients=recipients)
        except aiosmtplib.SMTPRecipientsRefused as error:
            return _answer(error.recipients[0]) if error.recipients else _other(error)
        except aiosmtplib.SMTPAuthenticationError as error:
            return MailResult("temporary", "auth_failed", error.code, _enhanced(error.message))
        except aiosmtplib.SMTPResponseException as error:
            return _answer(error)
        except (aiosmtplib.SMTPException, OSError) as error:
            return _other(error)
        finally:
            await _close(smtp)
        return SENT


def _answer(error: aiosmtplib.SMTPResponseException) -> MailResult:
    enhanced = _enhanced(error.message)
    if 400 <= error.code < 500:
        return MailResult("temporary", "refused", error.code, enhanced)
    if 500 <= error.code < 600:
        return MailResult("permanent", "rejected", error.code, enhanced)
    # Not a reply code at all (a broken server): nothing says the message is at fault.
    return MailResult("temporary", "smtp_error", error.code, enhanced)


def _other(error: BaseException) -> MailResult:
    """No answer to act on: what went wrong on the way decides only the reason."""
    causes = _chain(error)
    if any(isinstance(c, ssl.SSLCertVerificationError) for c in causes):
        return MailResult("temporary", "certificate_refused")
    if any(isinstance(c, ssl.SSLError) for c in causes):
        return MailResult("temporary", "tls_failed")
    if any(isinstance(c, aiosmtplib.SMTPTimeoutError | TimeoutError) for c in causes):
        return MailResult("temporary", "timeout")
    if isinstance(error, aiosmtplib.SMTPConnectError):
        return MailResult("temporary", "connect_failed")
    if isinstance(error, aiosmtplib.SMTPServerDisconnected | ConnectionError):
        return MailResult("temporary", "disconnected")
    if isinstance(error, aiosmtplib.SMTPException) and "STARTTLS" in str(error):
        return MailResult("temporary", "starttls_unavailable")
    if isinstance(error, OSError):
        return MailResult("temporary", "connect_failed")
    return MailResult("temporary", "smtp_error")


def _chain(error: BaseException) -> list[BaseException]:
    seen: list[BaseException] = []
    current: BaseException | None = error
    while current is not None and current not in seen:
        seen.append(current)
        current = current.__cause__ or current.__context__
    return seen


def _enhanced(text: str) -> str | None:
    found = _ENHANCED.match(text.strip())
    return found.group(1) if found else None


def _encrypted(smtp: aiosmtplib.SMTP) -> bool:
    return smtp.get_transport_info("sslcontext") is not None


async def _close(smtp: aiosmtplib.SMTP) -> None:
    if not smtp.is_connected:
        return
    try:
        await smtp.quit()
    except (aiosmtplib.SMTPException, OSError):
        smtp.close()
