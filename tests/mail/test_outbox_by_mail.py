"""Staff mail through the durable outbox, to a real SMTP server on loopback (aiosmtpd), on
SQLite and PostgreSQL: each channel's copy is a row of its own, so a mail that fails is
retried without the Telegram message going twice, and the other way round."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.outbox.kinds import ADMIN_ALERT, DIGEST, LOKET_CARD, NEEDS_HELP, STAFF_DETAILS
from bot.outbox.worker import retry_delay
from core.lifecycle.parties import LOKET, ByMail, StaffMember, as_text
from storage import Store
from tests.fakes.messenger import staff_channel
from tests.support.builders import NOW, add_signal, enrol_staff, outbox_rows
from tests.support.net import free_port
from tests.support.smtp_server import Accounts, RecordingHandler, smtp_server
from tests.support.staff_mail import LOKET_MAILBOX, PUBLIC_URL, mail_worker, staff_by_mail
from tests.support.tls import LocalCA

ANNE = "anne.devries@terneuzen.test"


@pytest.fixture
def port() -> int:
    return free_port()


def texts_of(handler: RecordingHandler) -> list[str]:
    return [r.raw.decode("ascii") for r in handler.received]


async def test_a_new_signal_reaches_the_loket_mailbox_and_the_group(
    store: Store, port: int
) -> None:
    handler = RecordingHandler()
    chat = staff_channel()
    worker = mail_worker(store, port, chat)
    signal = await add_signal(store)
    async with smtp_server(handler, port):
        assert await worker.drain(NOW) == 2
    [received] = handler.received
    assert received.rcpt_tos == (LOKET_MAILBOX,)
    mail = received.message()
    assert mail["Message-ID"] == f"<signaal.{signal.reference.lower()}@terneuzen.test>"
    assert mail["In-Reply-To"] is None  # the signal's first mail heads its thread
    assert mail["Subject"] == f"Signaal {signal.reference}"
    assert mail["Content-Language"] == "nl"
    plain = mail.get_body(("plain",))
    html = mail.get_body(("html",))
    assert plain is not None
    assert html is not None
    text = plain.get_content()
    assert "Nieuw signaal" in text
    assert f"{PUBLIC_URL}/loket/signalen/{signal.reference}" in text
    assert f'href="{PUBLIC_URL}/loket/signalen/{signal.reference}"' in html.get_content()
    # The group got its card as ever, once.
    assert [m.target for m in chat.messages] == ["loket"]
    assert {r.target: r.status for r in await outbox_rows(store)} == {
        "loket": "sent",
        "mail:loket": "sent",
    }


async def test_no_personal_data_goes_by_mail(store: Store, port: int) -> None:
    """The card's words only; the details a claim sends by chat go by mail as a notice."""
    handler = RecordingHandler()
    worker = mail_worker(store, port, staff_channel())
    anne = await staff_by_mail(store, "Anne", "regisseur", ANNE, NOW)  # reads every signal
    signal = await add_signal(store)
    async with store.unit_of_work() as uow:
        await uow.outbox.enqueue(STAFF_DETAILS, StaffMember(anne), NOW, signal_id=signal.id)
        await uow.commit()
    async with smtp_server(handler, port):
        await worker.drain(NOW)
    everything = "\n".join(texts_of(handler))
    for personal in ("1234AB", "06-12345678", signal.draft.note or "\0"):
        assert personal not in everything
    to_anne = [r.message() for r in handler.received if r.rcpt_tos == (ANNE,)]
    assert [m["Subject"] for m in to_anne][-1] == f"Re: Signaal {signal.reference}"
    bodies = [m.get_body(("plain",)) for m in to_anne]
    assert any(b is not None and "opgepakt" in b.get_content() for b in bodies)


async def test_a_staff_member_reached_by_mail_only_gets_no_chat_row(store: Store) -> None:
    mail_worker(store, free_port(), staff_channel())
    anne = await staff_by_mail(store, "Anne", "regisseur", ANNE, NOW)
    async with store.unit_of_work() as uow:
        await uow.outbox.enqueue(STAFF_DETAILS, StaffMember(anne), NOW, signal_id=None)
        await uow.outbox.enqueue(DIGEST, LOKET, NOW, payload={"date": NOW.isoformat()})
        await uow.commit()
    rows = [(r.kind, r.target) for r in await outbox_rows(store)]
    assert rows == [
        (STAFF_DETAILS, as_text(ByMail(StaffMember(anne)))),
        (DIGEST, "loket"),
        (DIGEST, "mail:loket"),
        (DIGEST, as_text(ByMail(StaffMember(anne)))),
    ]


async def test_a_refusing_server_is_retried_and_the_group_is_not_sent_again(
    store: Store, port: int
) -> None:
    handler = RecordingHandler(data_answers=["451 4.3.0 Try again later"])
    chat = staff_channel()
    worker = mail_worker(store, port, chat)
    await add_signal(store)
    async with smtp_server(handler, port):
        await worker.drain(NOW)
        assert handler.received == []
        assert len(chat.messages) == 1
        # Not due yet: nothing is sent before the backoff is over.
        assert await worker.drain(NOW + timedelta(seconds=1)) == 0
        assert await worker.drain(NOW + retry_delay(0)) == 1
        assert await worker.drain(NOW + timedelta(hours=2)) == 0
    assert len(handler.received) == 1
    assert len(chat.messages) == 1  # the card went once
    [mail] = [r for r in await outbox_rows(store) if r.target == "mail:loket"]
    assert mail.status == "sent"


async def test_a_failing_group_does_not_resend_the_mail(store: Store, port: int) -> None:
    from bot.ports import DeliveryError

    handler = RecordingHandler()
    chat = staff_channel()
    chat.failures.append(DeliveryError("429 Too Many Requests", retry_after=30))
    worker = mail_worker(store, port, chat)
    await add_signal(store)
    async with smtp_server(handler, port):
        await worker.drain(NOW)
        await worker.drain(NOW + timedelta(seconds=31))
    assert len(handler.received) == 1
    assert len(chat.messages) == 1


async def test_a_rejected_mail_is_dead_lettered_and_the_admins_told(
    store: Store, port: int
) -> None:
    handler = RecordingHandler(unknown_mailboxes={LOKET_MAILBOX})
    chat = staff_channel()
    worker = mail_worker(store, port, chat)
    admin = await enrol_staff(store, 501, "Ada", "admin", NOW)
    admin_mail = "ada@terneuzen.test"
    async with store.unit_of_work() as uow:
        await uow.email_accounts.link(admin_mail, admin, NOW)
        await uow.commit()
    signal = await add_signal(store)
    async with smtp_server(handler, port):
        await worker.drain(NOW)
        await worker.drain(NOW)  # the alerts queued by the dead letter
    rows = await outbox_rows(store)
    assert {r.target: r.status for r in rows if r.kind == LOKET_CARD} == {
        "loket": "sent",
        "mail:loket": "dead",
        f"mail:staff:{admin}": "sent",  # she chose mail: she gets what the group gets
    }
    alerts = {r.target: r for r in rows if r.kind == ADMIN_ALERT}
    assert set(alerts) == {f"staff:{admin}", f"mail:staff:{admin}"}
    assert alerts[f"mail:staff:{admin}"].status == "sent"
    assert alerts[f"mail:staff:{admin}"].payload["target"] == "mail:loket"
    _card, alert = [r.message() for r in handler.received if r.rcpt_tos == (admin_mail,)]
    assert alert["Subject"] == "Signaalpunt: melding voor beheerders"
    body = alert.get_body(("plain",))
    assert body is not None
    assert signal.reference in body.get_content()
    assert "mailbox van het loket" in body.get_content()
    assert any(signal.reference in m.text for m in chat.messages if m.target == f"staff:{admin}")


async def test_a_server_down_for_a_while_loses_nothing_and_sends_nothing_twice(
    store: Store, port: int
) -> None:
    handler = RecordingHandler()
    chat = staff_channel()
    worker = mail_worker(store, port, chat)
    signals = [await add_signal(store, now=NOW + timedelta(seconds=n)) for n in range(3)]
    at = NOW + timedelta(seconds=5)
    await worker.drain(at)  # no server listening
    assert len(chat.messages) == 3
    for attempt in range(3):  # still down, the backoff grows
        at += retry_delay(attempt)
        await worker.drain(at)
    async with smtp_server(handler, port):
        at += retry_delay(3)
        await worker.drain(at)
        await worker.drain(at + timedelta(hours=1))
    received = [r.message()["Message-ID"] for r in handler.received]
    assert received == [f"<signaal.{s.reference.lower()}@terneuzen.test>" for s in signals]
    assert len(chat.messages) == 3


async def test_starttls_is_used_when_insisted_on(
    store: Store, port: int, local_ca: LocalCA
) -> None:
    handler = RecordingHandler()
    worker = mail_worker(
        store,
        port,
        staff_channel(),
        scheme="smtp+starttls",
        tls_context=local_ca.client_context(),
    )
    await add_signal(store)
    async with smtp_server(handler, port, starttls=local_ca.server_context()):
        await worker.drain(NOW)
    [received] = handler.received
    assert received.tls


async def test_a_wrong_password_keeps_the_mail_and_tells_the_admins_once(
    store: Store, port: int, local_ca: LocalCA
) -> None:
    handler = RecordingHandler()
    chat = staff_channel()
    worker = mail_worker(
        store,
        port,
        chat,
        scheme="smtp+starttls",
        tls_context=local_ca.client_context(),
        credentials="signaalpunt:wrong@",
    )
    admin = await enrol_staff(store, 501, "Ada", "admin", NOW)
    for n in range(3):
        await add_signal(store, now=NOW + timedelta(seconds=n))
    async with smtp_server(
        handler,
        port,
        starttls=local_ca.server_context(),
        accounts=Accounts("signaalpunt", "right"),
    ):
        at = NOW + timedelta(seconds=5)
        for attempt in range(3):
            await worker.drain(at)
            at += retry_delay(attempt)
    assert handler.received == []
    rows = await outbox_rows(store)
    assert {r.status for r in rows if r.target == "mail:loket"} == {"pending"}  # kept
    alerts = [r for r in rows if r.kind == ADMIN_ALERT]
    assert [(a.target, a.payload.get("operator")) for a in alerts] == [(f"staff:{admin}", True)]
    told = [m.text for m in chat.messages if m.target == f"staff:{admin}"]
    assert len(told) == 1
    assert "SIGNAALPUNT_SMTP_URL" in told[0]
    assert "de mailbox van het loket" in told[0]


async def test_the_digest_and_a_call_for_help_go_by_mail(store: Store, port: int) -> None:
    handler = RecordingHandler()
    worker = mail_worker(store, port, staff_channel())
    rita = await staff_by_mail(store, "Rita", "regisseur", ANNE, NOW)
    asker = await enrol_staff(store, 502, "Bram", "loket", NOW)
    signal = await add_signal(store)
    digest = {"date": NOW.isoformat(), "new": 1, "unclaimed": 1, "overdue": 0, "rows": []}
    async with store.unit_of_work() as uow:
        await uow.outbox.enqueue(DIGEST, LOKET, NOW, payload=digest)
        await uow.outbox.enqueue(
            NEEDS_HELP, StaffMember(rita), NOW, signal_id=signal.id, payload={"staff_id": asker}
        )
        await uow.commit()
    async with smtp_server(handler, port):
        await worker.drain(NOW)
    to_rita = {
        m["Subject"]: m for m in (r.message() for r in handler.received if r.rcpt_tos == (ANNE,))
    }
    overview = to_rita[f"Signaalpunt: overzicht van {NOW:%d-%m-%Y}"]
    assert overview["Message-ID"] == f"<overzicht.{NOW.date().isoformat()}@terneuzen.test>"
    help_mail = [m for s, m in to_rita.items() if s == f"Re: Signaal {signal.reference}"]
    [asked] = [m for m in help_mail if "Bram" in (m.get_body(("plain",)) or m).get_content()]
    assert asked["In-Reply-To"] == f"<signaal.{signal.reference.lower()}@terneuzen.test>"
    loket = [r.message()["Subject"] for r in handler.received if r.rcpt_tos == (LOKET_MAILBOX,)]
    assert f"Signaalpunt: overzicht van {NOW:%d-%m-%Y}" in loket


async def test_no_mail_for_someone_revoked_since_it_was_queued(store: Store, port: int) -> None:
    handler = RecordingHandler()
    worker = mail_worker(store, port, staff_channel(), loket_mailbox=None)
    anne = await staff_by_mail(store, "Anne", "loket", ANNE, NOW)
    await add_signal(store)
    async with store.unit_of_work() as uow:
        assert await uow.staff.revoke(anne, NOW)
        await uow.commit()
    async with smtp_server(handler, port):
        await worker.drain(NOW)
    assert handler.received == []
    assert {r.target: r.status for r in await outbox_rows(store)} == {
        "loket": "sent",
        f"mail:staff:{anne}": "sent",  # nothing left to send: done, not retried
    }
