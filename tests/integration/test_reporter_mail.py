"""A web reporter's e-mail address, their chat's life and the notice mails' links, on
SQLite and PostgreSQL: the address encrypted at rest and bound to its signal, erased with
the phone number (``/verwijder`` and the retention job); a chat kept while its check-in
waits; a link used once, by one of two at the same moment; the links go with the chat."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select, text, update

from bot.followup.retention import RetentionService
from bot.settings import RetentionPeriods
from storage import Store, StoredSignal
from storage.models import Signal, WebChat, WebChatLink
from storage.webchat import WEB_CHANNEL, token_hash
from tests.support.builders import NOW, make_draft

USER = "w" * 32
ADDRESS = "anna@voorbeeld.nl"


async def web_signal(store: Store, user: str = USER) -> tuple[int, StoredSignal]:
    """A web chat, its reporter and a signal sent from it with the check-in agreed to."""
    async with store.unit_of_work() as uow:
        assert await uow.webchat.create(token_hash(f"cookie-{user}"), user, NOW)
        reporter = await uow.reporters.get_or_create(WEB_CHANNEL, user, language="tr", now=NOW)
        draft = make_draft(codes={"role": "neighbour", "callback": "here", "checkin": "yes"})
        stored = await uow.signals.add(draft, reporter_id=reporter.id, channel=WEB_CHANNEL, now=NOW)
        await uow.commit()
    return reporter.id, stored


async def test_the_address_is_stored_encrypted_on_the_signal(store: Store) -> None:
    _, stored = await web_signal(store)
    async with store.unit_of_work() as uow:
        latest = await uow.reporter_mail.latest_signal(USER)
        assert latest is not None
        assert (latest.id, latest.checkin, latest.message_here) == (stored.id, True, True)
        assert not latest.has_email
        assert await uow.reporter_mail.set_email(stored.id, ADDRESS)
        await uow.commit()
    async with store.unit_of_work() as uow:
        assert await uow.reporter_mail.email_of(stored.id) == ADDRESS
        latest = await uow.reporter_mail.latest_signal(USER)
        assert latest is not None
        assert latest.has_email
        assert await uow.reporter_mail.latest_signal("someone-else") is None
        assert await uow.reporter_mail.latest_signal(USER, since=NOW) is not None
        assert await uow.reporter_mail.latest_signal(USER, since=NOW + timedelta(seconds=1)) is None
    async with store.engine.connect() as connection:
        raw = (await connection.execute(text("SELECT reporter_email FROM signals"))).scalar_one()
    assert "anna" not in raw
    assert "voorbeeld" not in raw


async def test_erasing_the_reporter_erases_the_address_and_the_links(store: Store) -> None:
    reporter_id, stored = await web_signal(store)
    async with store.unit_of_work() as uow:
        await uow.reporter_mail.set_email(stored.id, ADDRESS)
        await uow.reporter_mail.add_link(
            token_hash("link"), USER, "tr", NOW, NOW + timedelta(days=7)
        )
        await uow.commit()
    async with store.unit_of_work() as uow:
        await uow.erasure.erase_reporter(reporter_id, NOW)
        await uow.commit()
    async with store.unit_of_work() as uow:
        assert await uow.reporter_mail.email_of(stored.id) is None
        assert await uow.reporter_mail.links(USER) == 0
        assert await uow.reporter_mail.set_email(stored.id, ADDRESS) is False  # no reporter


async def test_the_retention_job_erases_the_address_with_the_phone(store: Store) -> None:
    _, stored = await web_signal(store)
    periods = RetentionPeriods()
    async with store.unit_of_work() as uow:
        await uow.reporter_mail.set_email(stored.id, ADDRESS)
        await uow.commit()
    async with store.engine.begin() as connection:
        await connection.execute(
            update(Signal)
            .where(Signal.id == stored.id)
            .values(status="closed", status_at=NOW - periods.reporter_contact - timedelta(hours=1))
        )
    service = RetentionService(store, periods, ZoneInfo("Europe/Amsterdam"))
    counts = await service.erase(NOW)
    assert counts["reporter_contact"] == 1
    async with store.unit_of_work() as uow:
        assert await uow.reporter_mail.email_of(stored.id) is None


async def test_a_chat_is_kept_while_its_check_in_waits(store: Store) -> None:
    await web_signal(store)
    periods = RetentionPeriods()
    kept = NOW + timedelta(days=21)
    async with store.unit_of_work() as uow:
        await uow.reporter_mail.keep(USER, kept)
        await uow.reporter_mail.keep(USER, NOW + timedelta(days=1))  # never shortened
        await uow.reporter_mail.add_link(
            token_hash("old"), USER, "tr", NOW, NOW + timedelta(days=7)
        )
        await uow.commit()
    async with store.unit_of_work() as uow:
        assert await uow.reporter_mail.kept_until(token_hash(f"cookie-{USER}")) == kept
    service = RetentionService(store, periods, ZoneInfo("Europe/Amsterdam"))
    later = NOW + timedelta(days=10)  # idle past the draft period, the check-in still waits
    assert (await service.erase(later))["web_chats"] == 0
    async with store.engine.connect() as connection:
        links = (await connection.execute(select(WebChatLink.token_hash))).scalars().all()
    assert links == []  # the expired link went
    assert (await service.erase(kept + timedelta(days=8)))["web_chats"] == 1


async def test_a_link_opens_once_even_for_two_at_the_same_moment(store: Store) -> None:
    await web_signal(store)
    hashed = token_hash("link")
    async with store.unit_of_work() as uow:
        await uow.reporter_mail.add_link(hashed, USER, "tr", NOW, NOW + timedelta(days=7))
        await uow.commit()
    async with store.unit_of_work() as uow:
        found = await uow.reporter_mail.find_link(hashed, NOW)
        assert (found.state, found.user_id, found.language) == ("open", USER, "tr")
        expired = await uow.reporter_mail.find_link(hashed, NOW + timedelta(days=7))
        assert expired.state == "expired"
        assert (await uow.reporter_mail.find_link(token_hash("forged"), NOW)).state == "unknown"

    async def use() -> str:
        async with store.unit_of_work() as uow:
            found = await uow.reporter_mail.use_link(hashed, NOW)
            await uow.commit()
        return found.state

    states = sorted(await asyncio.gather(use(), use()))
    assert states == ["open", "used"]


async def test_moving_a_chat_to_a_new_cookie_retires_the_old_one(store: Store) -> None:
    await web_signal(store)
    async with store.unit_of_work() as uow:
        assert await uow.reporter_mail.move_chat(USER, token_hash("new"), NOW)
        await uow.commit()
    async with store.unit_of_work() as uow:
        assert await uow.webchat.by_token(token_hash(f"cookie-{USER}")) is None
        chat = await uow.webchat.by_token(token_hash("new"))
    assert chat is not None
    assert chat.user_id == USER
    async with store.engine.connect() as connection:
        assert (await connection.execute(select(WebChat.mail_offer))).scalar_one() is None
