"""Web chats on SQLite and PostgreSQL: found by the token's hash, the transcript encrypted
at rest (the raw row holds nothing the resident typed), bound to its chat, erased with the
reporter and by the retention job."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select, text, update

from bot.channels.webchat.messenger import ChatTranscripts, WebChatMessenger
from bot.channels.webchat.transcript import Transcript
from bot.followup.retention import RetentionService
from bot.ports import Button, DeliveryError, Outgoing, TemplateCall
from bot.rendering import RenderedReply
from bot.settings import RetentionPeriods
from storage import Store
from storage.crypto import KeyringError
from storage.models import WebChat
from storage.webchat import WEB_CHANNEL, token_hash
from tests.support.builders import NOW

TYPED = "Mevrouw Jansen op de Dorpsstraat 12 woont alleen"
TRANSCRIPT = {"language": "nl", "entries": [{"who": "me", "text": TYPED}]}


async def new_chat(store: Store, token: str = "cookie-token", user: str = "u" * 32) -> str:
    async with store.unit_of_work() as uow:
        assert await uow.webchat.create(token_hash(token), user, NOW)
        assert await uow.webchat.save(user, TRANSCRIPT, now=NOW)
        await uow.commit()
    return user


async def raw_rows(store: Store) -> list[dict[str, object]]:
    async with store.engine.connect() as connection:
        rows = (await connection.execute(text("SELECT * FROM web_chats"))).mappings().all()
    return [dict(r) for r in rows]


def test_the_token_is_kept_as_its_sha256() -> None:
    assert token_hash("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"


async def test_a_chat_is_found_by_the_hash_of_its_token_and_by_its_user(store: Store) -> None:
    user = await new_chat(store)
    async with store.unit_of_work() as uow:
        by_token = await uow.webchat.by_token(token_hash("cookie-token"))
        by_user = await uow.webchat.by_user(user, lock=True)
        assert await uow.webchat.by_token("cookie-token") is None  # the token itself: no
        assert await uow.webchat.by_token(token_hash("another")) is None
    assert by_token is not None
    assert by_token == by_user
    assert by_token.transcript == TRANSCRIPT
    assert (by_token.user_id, by_token.created_at, by_token.updated_at) == (user, NOW, NOW)


async def test_the_raw_row_holds_no_typed_text_nor_the_token(store: Store) -> None:
    await new_chat(store)
    [row] = await raw_rows(store)
    stored = " ".join(str(value) for value in row.values())
    assert "Jansen" not in stored
    assert "Dorpsstraat" not in stored
    assert "alleen" not in stored
    assert "cookie-token" not in stored
    assert row["token_hash"] == token_hash("cookie-token")


async def test_a_transcript_moved_to_another_chat_does_not_open(store: Store) -> None:
    await new_chat(store, "one", "a" * 32)
    await new_chat(store, "two", "b" * 32)
    async with store.engine.begin() as connection:
        first = (
            await connection.execute(
                text("SELECT transcript FROM web_chats WHERE user_id = :u"), {"u": "a" * 32}
            )
        ).scalar_one()
        await connection.execute(
            text("UPDATE web_chats SET transcript = :t WHERE user_id = :u"),
            {"t": first, "u": "b" * 32},
        )
    async with store.unit_of_work() as uow:
        with pytest.raises(KeyringError):
            await uow.webchat.by_user("b" * 32)


async def test_a_second_create_for_one_token_changes_nothing(store: Store) -> None:
    user = await new_chat(store)
    async with store.unit_of_work() as uow:
        assert not await uow.webchat.create(token_hash("cookie-token"), "x" * 32, NOW)
        await uow.commit()
    async with store.unit_of_work() as uow:
        chat = await uow.webchat.by_token(token_hash("cookie-token"))
    assert chat is not None
    assert chat.user_id == user
    assert chat.transcript == TRANSCRIPT


async def test_saving_for_the_loket_keeps_the_residents_time(store: Store) -> None:
    user = await new_chat(store)
    later = NOW + timedelta(days=2)
    async with store.unit_of_work() as uow:
        assert await uow.webchat.save(user, {"entries": []})
        assert not await uow.webchat.save("nobody", {"entries": []})
        await uow.commit()
    async with store.unit_of_work() as uow:
        chat = await uow.webchat.by_user(user)
        assert chat is not None
        assert (chat.updated_at, chat.transcript) == (NOW, {"entries": []})
        await uow.webchat.touch(token_hash("cookie-token"), later)
        await uow.commit()
    async with store.unit_of_work() as uow:
        chat = await uow.webchat.by_user(user)
    assert chat is not None
    assert chat.updated_at == later


async def test_erasing_a_web_reporter_deletes_their_chat_only(store: Store) -> None:
    mine = await new_chat(store, "mine", "m" * 32)
    other = await new_chat(store, "other", "o" * 32)
    async with store.unit_of_work() as uow:
        reporter = await uow.reporters.get_or_create(WEB_CHANNEL, mine, language="nl", now=NOW)
        await uow.reporters.get_or_create(WEB_CHANNEL, other, language="nl", now=NOW)
        await uow.erasure.erase_reporter(reporter.id, NOW)
        await uow.commit()
    async with store.unit_of_work() as uow:
        assert await uow.webchat.by_user(mine) is None
        assert await uow.webchat.by_user(other) is not None


async def test_erasing_a_reporter_of_another_channel_leaves_web_chats(store: Store) -> None:
    user = await new_chat(store)
    async with store.unit_of_work() as uow:
        # The same id on Telegram is someone else.
        reporter = await uow.reporters.get_or_create("telegram", user, language="nl", now=NOW)
        await uow.erasure.erase_reporter(reporter.id, NOW)
        await uow.commit()
    async with store.unit_of_work() as uow:
        assert await uow.webchat.by_user(user) is not None


async def test_the_retention_job_deletes_chats_idle_for_the_draft_period(store: Store) -> None:
    idle = await new_chat(store, "idle", "i" * 32)
    recent = await new_chat(store, "recent", "r" * 32)
    periods = RetentionPeriods()
    async with store.engine.begin() as connection:
        await connection.execute(
            update(WebChat)
            .where(WebChat.user_id == idle)
            .values(updated_at=NOW - periods.drafts - timedelta(minutes=1))
        )
        await connection.execute(
            update(WebChat)
            .where(WebChat.user_id == recent)
            .values(updated_at=NOW - periods.drafts + timedelta(minutes=1))
        )
    counts = await RetentionService(store, periods, ZoneInfo("Europe/Amsterdam")).erase(NOW)
    assert counts["web_chats"] == 1
    async with store.engine.connect() as connection:
        left = (await connection.execute(select(WebChat.user_id))).scalars().all()
    assert left == [recent]


# -- the messenger: the loket's messages into the transcript ---------------------------------


def checkin(target: str, *, channel: str = WEB_CHANNEL) -> Outgoing:
    return Outgoing(
        target,
        "Was er contact? SP-2026-0001",
        "SP-2026-0001",
        (Button("Ja", "k|1|yes"), Button("Nee", "k|1|no")),
        channel=channel,
        template=TemplateCall("checkin", "tr", ("SP-2026-0001",)),
    )


async def test_a_message_from_the_loket_lands_in_the_transcript(store: Store) -> None:
    user = await new_chat(store)
    landed = await WebChatMessenger(ChatTranscripts(store)).deliver(checkin(user))
    async with store.unit_of_work() as uow:
        chat = await uow.webchat.by_user(user)
    assert chat is not None
    transcript = Transcript.from_json(chat.transcript)
    entry = transcript.entries[-1]
    assert landed == f"web:{entry.n}"
    assert (entry.who, entry.reference, entry.language) == ("loket", "SP-2026-0001", "tr")
    assert [(c.id, c.label) for c in entry.choices] == [("k|1|yes", "Ja"), ("k|1|no", "Nee")]
    assert transcript.live(entry)
    assert chat.updated_at == NOW  # the loket writing does not keep the chat alive


async def test_a_message_to_a_chat_that_is_gone_fails_for_good(store: Store) -> None:
    messenger = WebChatMessenger(ChatTranscripts(store))
    with pytest.raises(DeliveryError) as gone:
        await messenger.deliver(checkin("no-such-chat"))
    assert gone.value.permanent
    with pytest.raises(DeliveryError) as elsewhere:
        await messenger.deliver(checkin(await new_chat(store), channel="telegram"))
    assert elsewhere.value.permanent


async def test_messages_arriving_together_are_all_kept(store: Store) -> None:
    user = await new_chat(store)
    transcripts = ChatTranscripts(store)
    messenger = WebChatMessenger(transcripts)
    reply = RenderedReply("Dank je", None, (), False, "nl")
    await asyncio.gather(
        *(messenger.deliver(checkin(user)) for _ in range(5)),
        *(transcripts.change(user, lambda t: t.said("ja", [reply])) for _ in range(5)),
    )
    async with store.unit_of_work() as uow:
        chat = await uow.webchat.by_user(user)
    assert chat is not None
    entries = Transcript.from_json(chat.transcript).entries
    assert len(entries) == 1 + 5 + 5 * 2  # the first "me", five messages, five exchanges
    assert len({e.n for e in entries}) == len(entries)


async def test_two_instances_writing_one_transcript_lose_nothing(store: Store) -> None:
    """On PostgreSQL the row lock orders writers of other processes (two replicas); SQLite
    runs one process, whose lock per chat the test above covers."""
    if store.engine.dialect.name != "postgresql":
        return
    user = await new_chat(store)
    one, two = WebChatMessenger(ChatTranscripts(store)), WebChatMessenger(ChatTranscripts(store))
    await asyncio.gather(*(m.deliver(checkin(user)) for m in (one, two) * 5))
    async with store.unit_of_work() as uow:
        chat = await uow.webchat.by_user(user)
    assert chat is not None
    assert len(Transcript.from_json(chat.transcript).entries) == 1 + 10
