"""The fake Telegram server, driven by the real python-telegram-bot client over HTTP."""

from __future__ import annotations

import asyncio
import html
from collections.abc import AsyncIterator
from datetime import timedelta

import pytest
from telegram import (
    Bot,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    KeyboardButton,
    ReplyKeyboardMarkup,
    ReplyKeyboardRemove,
    Update,
)
from telegram.error import (
    BadRequest,
    ChatMigrated,
    Conflict,
    EndPointNotFound,
    Forbidden,
    InvalidToken,
    NetworkError,
    RetryAfter,
)
from telegram.ext import AIORateLimiter, ExtBot

from tests.fakes.telegram_api import PRIVATE_BURST, FakeTelegram, FakeUser

pytestmark = pytest.mark.e2e

TOKEN = "123:TEST"
ANNA = FakeUser(id=4242, first_name="Anna", username="anna_b")
GROUP = -100123


@pytest.fixture(autouse=True)
def timedelta_durations(monkeypatch: pytest.MonkeyPatch) -> None:
    # Reading RetryAfter.retry_after as an int warns in PTB 22, and warnings are errors here.
    monkeypatch.setenv("PTB_TIMEDELTA", "true")


def retry_seconds(error: RetryAfter) -> float:
    assert isinstance(error.retry_after, timedelta)
    return error.retry_after.total_seconds()


def known(fake: FakeTelegram, *users: int) -> FakeTelegram:
    """Anna (and ``users``) started the bot; the bot is a member of GROUP."""
    fake.started.update({ANNA.id, *users})
    fake.add_group(GROUP)
    return fake


@pytest.fixture
async def fake() -> AsyncIterator[FakeTelegram]:
    async with FakeTelegram(token=TOKEN) as server:
        yield known(server)


@pytest.fixture
async def bot(fake: FakeTelegram) -> AsyncIterator[Bot]:
    async with Bot(TOKEN, base_url=fake.base_url, base_file_url=fake.file_url) as client:
        yield client


def keyboard(*buttons: tuple[str, str]) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [[InlineKeyboardButton(text, callback_data=data)] for text, data in buttons]
    )


async def test_get_me_identifies_the_test_bot(fake: FakeTelegram, bot: Bot) -> None:
    me = await bot.get_me()

    assert (me.id, me.is_bot, me.username) == (999000, True, "signaalpunt_test_bot")
    assert fake.requests[0].method == "getMe"  # Bot.initialize() asks first


async def test_sent_message_is_recorded_with_its_keyboard(fake: FakeTelegram, bot: Bot) -> None:
    text = "<b>Melding</b> van " + html.escape('Jan & "Piet" <3')
    sent = await bot.send_message(
        ANNA.id,
        text,
        parse_mode="HTML",
        reply_markup=keyboard(("Ja", "yes"), ("Nee", "no")),
        protect_content=True,
    )

    [recorded] = fake.messages(ANNA.id)
    assert (recorded.text, recorded.parse_mode, recorded.protect_content) == (text, "HTML", True)
    assert recorded.buttons() == [("Ja", "yes"), ("Nee", "no")]
    assert recorded.plain_text == 'Melding van Jan & "Piet" <3'
    assert sent.text == recorded.plain_text
    assert sent.message_id == recorded.message_id == 1
    assert sent.chat.type == "private"
    assert sent.reply_markup == keyboard(("Ja", "yes"), ("Nee", "no"))
    assert await fake.next_message(ANNA.id) is recorded
    params = fake.calls("sendMessage")[0].params
    assert params["chat_id"] == ANNA.id
    assert params["reply_markup"] == recorded.reply_markup


async def test_group_messages_number_per_chat(fake: FakeTelegram, bot: Bot) -> None:
    await bot.send_message(ANNA.id, "een")
    group_message = await bot.send_message(GROUP, "twee")

    assert (group_message.message_id, group_message.chat.type) == (1, "supergroup")
    assert group_message.chat.title == "Loket"


async def test_callback_data_is_limited_to_64_bytes(fake: FakeTelegram, bot: Bot) -> None:
    await bot.send_message(ANNA.id, "Kies", reply_markup=keyboard(("Ja", "é" * 32)))
    with pytest.raises(BadRequest, match=r"(?i)button_data_invalid"):
        await bot.send_message(ANNA.id, "Kies", reply_markup=keyboard(("Ja", "é" * 33)))

    assert len(fake.messages(ANNA.id)) == 1


@pytest.mark.parametrize(
    ("text", "error"),
    [("x" * 4097, "too long"), ("   ", "text is empty")],
)
async def test_text_length_is_checked(bot: Bot, text: str, error: str) -> None:
    await bot.send_message(ANNA.id, "x" * 4096)
    await bot.send_message(ANNA.id, f"<b>{'x' * 4096}</b>", parse_mode="HTML")  # tags are free
    with pytest.raises(BadRequest, match=error):
        await bot.send_message(ANNA.id, text)


@pytest.mark.parametrize(
    "text",
    [
        "Tom & Jerry",
        "1 < 2",
        "2 > 1",
        "&nbsp;",
        "<div>x</div>",
        "<b>open",
        "<i>x</b>",
        "<a>link</a>",
        "<br/>",
    ],
)
async def test_bad_html_is_rejected(bot: Bot, text: str) -> None:
    with pytest.raises(BadRequest, match=r"(?i)can't parse entities"):
        await bot.send_message(ANNA.id, text, parse_mode="HTML")


async def test_injected_429_raises_retry_after(fake: FakeTelegram, bot: Bot) -> None:
    fake.fail_next("sendMessage", "429", retry_after=7)

    with pytest.raises(RetryAfter) as caught:
        await bot.send_message(ANNA.id, "hallo")

    assert retry_seconds(caught.value) == 7
    assert fake.messages(ANNA.id) == []
    assert fake.failures_injected == 1
    await bot.send_message(ANNA.id, "hallo")
    assert len(fake.messages(ANNA.id)) == 1


async def test_injected_502_and_dropped_connection_are_network_errors(
    fake: FakeTelegram, bot: Bot
) -> None:
    fake.fail_next(None, "502")
    fake.fail_next(None, "drop")

    with pytest.raises(NetworkError, match="Bad Gateway"):
        await bot.send_message(ANNA.id, "een")
    with pytest.raises(NetworkError, match="httpx"):
        await bot.send_message(ANNA.id, "twee")

    assert fake.messages(ANNA.id) == []
    assert [r.status for r in fake.calls("sendMessage")] == [502, 0]
    await bot.send_message(ANNA.id, "drie")
    assert [m.text for m in fake.messages(ANNA.id)] == ["drie"]


async def test_blocked_user_raises_forbidden(fake: FakeTelegram, bot: Bot) -> None:
    fake.blocked.add(ANNA.id)
    with pytest.raises(Forbidden, match="blocked by the user"):
        await bot.send_message(ANNA.id, "hallo")
    fake.fail_next("sendMessage", "403")
    with pytest.raises(Forbidden):
        await bot.send_message(ANNA.id + 1, "hallo")


async def test_outage_fails_sending_but_not_polling(fake: FakeTelegram, bot: Bot) -> None:
    fake.outage("429", retry_after=2)
    fake.user_sends(ANNA, "hallo")

    for _ in range(3):
        with pytest.raises(RetryAfter):
            await bot.send_message(ANNA.id, "x")
    updates = await bot.get_updates(timeout=0)
    fake.recover()
    await bot.send_message(ANNA.id, "weer daar")

    assert [u.message.text for u in updates if u.message] == ["hallo"]
    assert fake.failures_injected == 3
    assert [m.text for m in fake.messages(ANNA.id)] == ["weer daar"]


async def test_long_poll_returns_a_message_queued_while_waiting(
    fake: FakeTelegram, bot: Bot
) -> None:
    poll = asyncio.create_task(bot.get_updates(offset=1, timeout=2))
    await fake.wait_for(lambda: bool(fake.calls("getUpdates")))
    queued = fake.user_sends(ANNA, "/start nu")

    [update] = await poll

    assert update.update_id == queued["update_id"] == 1
    assert update.message is not None
    assert update.message.text == "/start nu"
    assert update.message.from_user is not None
    assert update.message.from_user.language_code == "nl"
    assert update.message.parse_entities() == {update.message.entities[0]: "/start"}
    assert fake.updates_offered == 1


async def test_offset_acknowledges_and_redeliver_duplicates(fake: FakeTelegram, bot: Bot) -> None:
    first = fake.user_sends(ANNA, "een")
    fake.user_sends(ANNA, "twee", chat_id=GROUP)

    assert [u.update_id for u in await bot.get_updates()] == [1, 2]
    assert [u.update_id for u in await bot.get_updates(offset=3, timeout=0)] == []
    fake.redeliver(first)
    [again] = await bot.get_updates(offset=3)

    assert again.update_id == 1
    assert fake.last_offset == 3
    assert fake.updates_offered == 3
    assert await bot.get_updates(offset=3) == ()


async def test_empty_long_poll_times_out_with_no_updates(bot: Bot) -> None:
    assert await bot.get_updates(timeout=1) == ()


async def test_a_new_poll_terminates_the_waiting_one(fake: FakeTelegram, bot: Bot) -> None:
    orphan = asyncio.create_task(bot.get_updates(timeout=30))
    await fake.wait_for(lambda: len(fake.calls("getUpdates")) == 1)

    # A restarted bot: its own client, since one Bot polls over a single connection.
    async with Bot(TOKEN, base_url=fake.base_url) as restarted:
        successor = asyncio.create_task(restarted.get_updates(timeout=30))
        with pytest.raises(Conflict, match="terminated by other getUpdates"):
            await orphan
        fake.user_sends(ANNA, "hallo")

        assert [u.update_id for u in await successor] == [1]


async def test_pressing_a_button_builds_a_callback_query(fake: FakeTelegram, bot: Bot) -> None:
    await bot.send_message(
        ANNA.id, "Gevaar?", reply_markup=keyboard(("Ja, nu", "danger:yes"), ("Nee", "danger:no"))
    )
    message = await fake.next_message(ANNA.id)

    raw = fake.user_presses_label(ANNA, message, "Ja")
    update = Update.de_json(raw, bot)

    query = update.callback_query
    assert query is not None
    assert query.data == "danger:yes"
    assert query.message is not None
    assert query.message.message_id == message.message_id
    assert await query.answer("Dank je") is True
    with pytest.raises(BadRequest, match=r"(?i)query id is invalid"):
        await query.answer()


async def test_edits_replace_the_recorded_message(fake: FakeTelegram, bot: Bot) -> None:
    sent = await bot.send_message(ANNA.id, "Vraag", reply_markup=keyboard(("Ja", "yes")))
    recorded = await fake.next_message(ANNA.id)

    await bot.edit_message_text("Vraag (beantwoord)", ANNA.id, sent.message_id)
    assert (recorded.text, recorded.reply_markup, recorded.edits) == ("Vraag (beantwoord)", None, 1)
    with pytest.raises(BadRequest, match=r"(?i)message is not modified"):
        await bot.edit_message_text("Vraag (beantwoord)", ANNA.id, sent.message_id)
    await bot.edit_message_reply_markup(
        ANNA.id, sent.message_id, reply_markup=keyboard(("Ok", "ok"))
    )
    assert recorded.buttons() == [("Ok", "ok")]
    await bot.edit_message_reply_markup(ANNA.id, sent.message_id)
    assert recorded.reply_markup is None
    with pytest.raises(BadRequest, match=r"(?i)message to edit not found"):
        await bot.edit_message_text("x", ANNA.id, 99)
    assert await bot.delete_message(ANNA.id, sent.message_id) is True
    assert recorded.deleted


async def test_only_messages_without_a_reply_keyboard_can_be_edited(
    fake: FakeTelegram, bot: Bot
) -> None:
    """The Bot API: "it is currently only possible to edit messages without reply_markup or
    with inline keyboards", and an edit carries an inline keyboard only."""
    share = ReplyKeyboardMarkup([[KeyboardButton("Deel mijn nummer", request_contact=True)]])
    asked = await bot.send_message(ANNA.id, "Je nummer?", reply_markup=share)
    with pytest.raises(BadRequest, match=r"(?i)message can't be edited"):
        await bot.edit_message_text("Je nummer? (beantwoord)", ANNA.id, asked.message_id)
    plain = await bot.send_message(ANNA.id, "Vraag")
    with pytest.raises(BadRequest, match=r"(?i)inline keyboard expected"):
        await bot.edit_message_text(
            "Vraag 2",
            ANNA.id,
            plain.message_id,
            reply_markup=share,  # type: ignore[arg-type]
        )


async def test_user_media_and_edits_parse_in_ptb(fake: FakeTelegram, bot: Bot) -> None:
    original = fake.user_sends(ANNA, "hallo")
    raws = [
        fake.user_sends_photo(ANNA, caption="kijk"),
        fake.user_sends_voice(ANNA),
        fake.user_sends_sticker(ANNA),
        fake.user_sends_location(ANNA),
        fake.user_sends_contact(ANNA),
        fake.user_edits(ANNA, original, "/help"),
    ]

    updates = [Update.de_json(raw, bot) for raw in raws]

    photo, voice, sticker, location, contact = (u.message for u in updates[:5])
    assert photo is not None
    assert photo.photo[-1].width == 1280
    assert voice is not None
    assert voice.voice is not None
    assert sticker is not None
    assert sticker.sticker is not None
    assert location is not None
    assert location.location is not None
    assert contact is not None
    assert contact.contact is not None
    assert contact.contact.user_id == ANNA.id
    edited = updates[5].edited_message
    assert edited is not None
    assert (edited.text, edited.message_id) == ("/help", 1)
    assert [u.update_id for u in await bot.get_updates()] == [1, 2, 3, 4, 5, 6, 7]


async def test_commands_webhook_and_misc_methods(fake: FakeTelegram, bot: Bot) -> None:
    assert await bot.set_my_commands([("start", "Begin")], language_code="nl")
    assert fake.commands[("default", "nl")] == [{"command": "start", "description": "Begin"}]
    assert await bot.send_chat_action(ANNA.id, "typing")
    assert fake.chat_actions == [(ANNA.id, "typing")]
    assert await bot.set_webhook("https://example.org/hook", secret_token="s3cret")
    assert (await bot.get_webhook_info()).url == "https://example.org/hook"
    with pytest.raises(Conflict):
        await bot.get_updates()
    assert await bot.delete_webhook(drop_pending_updates=True)
    assert await bot.get_updates() == ()
    assert await bot.close()
    assert await bot.log_out()


async def test_wrong_token_and_unknown_method(fake: FakeTelegram, bot: Bot) -> None:
    stranger = Bot("456:WRONG", base_url=fake.base_url)
    try:
        with pytest.raises(InvalidToken, match="rejected by the server"):
            await stranger.initialize()
    finally:
        await stranger.request.shutdown()

    with pytest.raises(EndPointNotFound):
        await bot.do_api_request("sendTelepathy")
    assert [r.status for r in fake.requests[-2:]] == [401, 404]


async def test_post_webhook_sends_the_secret_header(fake: FakeTelegram) -> None:
    url = f"{fake.base_url}{TOKEN}/getMe"

    assert await fake.post_webhook(url, {"update_id": 1}, secret="s3cret") == 200
    assert fake.requests[-1].headers["x-telegram-bot-api-secret-token"] == "s3cret"
    assert await fake.post_webhook(f"{fake.base_url}0:X/getMe", {"update_id": 1}, None) == 401


async def test_wait_for_timeout_is_an_assertion_error(fake: FakeTelegram) -> None:
    with pytest.raises(AssertionError, match=r"after 0\.05s waiting for the moon"):
        await fake.wait_for(lambda: False, timeout=0.05, what="the moon")
    with pytest.raises(AssertionError, match="message #1 to chat 4242"):
        await fake.next_message(ANNA.id, timeout=0.05)


async def test_ext_bot_rate_limiter_retries_after_429(fake: FakeTelegram) -> None:
    fake.fail_next("sendMessage", "429", retry_after=1)
    limiter = AIORateLimiter(max_retries=1)

    async with ExtBot(TOKEN, base_url=fake.base_url, rate_limiter=limiter) as bot:
        await bot.send_message(ANNA.id, "hallo")

    assert [r.status for r in fake.calls("sendMessage")] == [429, 200]
    assert [m.text for m in fake.messages(ANNA.id)] == ["hallo"]


async def test_enforced_limits_cap_the_overall_rate() -> None:
    async with (
        FakeTelegram(token=TOKEN, enforce_limits=True) as fake,
        Bot(TOKEN, base_url=fake.base_url) as bot,
    ):
        known(fake, *(ANNA.id + i for i in range(31)))
        results = await asyncio.gather(
            *(bot.send_message(ANNA.id + i, "x") for i in range(31)), return_exceptions=True
        )

    errors = [r for r in results if isinstance(r, Exception)]
    assert len(errors) == fake.rate_limited == 1
    assert isinstance(errors[0], RetryAfter)
    assert retry_seconds(errors[0]) == 1


async def test_enforced_limits_cap_messages_to_a_group() -> None:
    async with (
        FakeTelegram(token=TOKEN, enforce_limits=True) as fake,
        Bot(TOKEN, base_url=fake.base_url) as bot,
    ):
        known(fake)
        for _ in range(20):
            await bot.send_message(GROUP, "melding")
        with pytest.raises(RetryAfter) as caught:
            await bot.send_message(GROUP, "een te veel")
        await bot.send_message(ANNA.id, "privé mag nog")

    assert 1 < retry_seconds(caught.value) <= 60
    assert fake.rate_limited == 1


async def test_closing_the_fake_ends_a_pending_long_poll() -> None:
    async with FakeTelegram(token=TOKEN) as fake, Bot(TOKEN, base_url=fake.base_url) as bot:
        poll = asyncio.create_task(bot.get_updates(timeout=30))
        await fake.wait_for(lambda: bool(fake.calls("getUpdates")))
        await fake.aclose()

        with pytest.raises(NetworkError):
            await poll


# --- what Telegram refuses (Bot API documentation and FAQ) ----------------------------------


async def test_users_the_bot_cannot_reach_get_telegrams_own_403s(
    fake: FakeTelegram, bot: Bot
) -> None:
    stranger, gone, blocker = FakeUser(5001, "S"), FakeUser(5002, "G"), FakeUser(5003, "B")
    fake.user_starts(gone)
    fake.user_starts(blocker)
    fake.deactivated.add(gone.id)
    fake.blocked.add(blocker.id)
    expected = {
        stranger.id: "Forbidden: bot can't initiate conversation with a user",
        gone.id: "Forbidden: user is deactivated",
        blocker.id: "Forbidden: bot was blocked by the user",
    }
    for chat_id, description in expected.items():
        with pytest.raises(Forbidden) as refused:
            await bot.send_message(chat_id, "hallo")
        assert refused.value.message == description
    fake.user_sends(stranger, "/start")  # writing to the bot starts it
    assert (await bot.send_message(stranger.id, "welkom")).text == "welkom"


async def test_groups_the_bot_is_not_in(fake: FakeTelegram, bot: Bot) -> None:
    with pytest.raises(BadRequest, match="Chat not found"):
        await bot.send_message(-100999, "x")
    fake.remove_bot(GROUP)
    with pytest.raises(Forbidden) as kicked:
        await bot.send_message(GROUP, "x")
    assert kicked.value.message == "Forbidden: bot was kicked from the supergroup chat"
    fake.add_group(-4001, "group")
    fake.remove_bot(-4001, kicked=False)
    with pytest.raises(Forbidden) as left:
        await bot.send_message(-4001, "x")
    assert left.value.message == "Forbidden: bot is not a member of the group chat"


async def test_a_group_upgraded_to_a_supergroup_names_its_new_id(
    fake: FakeTelegram, bot: Bot
) -> None:
    old, new = -4002, -1004002
    fake.add_group(old, "group")
    card = await bot.send_message(old, "kaart")
    told, moved = fake.migrate_group(old, new, ANNA)
    with pytest.raises(ChatMigrated) as migrated:
        await bot.send_message(old, "nog een kaart")
    assert migrated.value.new_chat_id == new
    with pytest.raises(ChatMigrated):
        await bot.edit_message_text("bijgewerkt", chat_id=old, message_id=card.message_id)
    assert (await bot.send_message(new, "in de supergroep")).chat.type == "supergroup"
    updates = await bot.get_updates()
    assert [u.update_id for u in updates] == [told["update_id"], moved["update_id"]]
    told_message, moved_message = updates[0].message, updates[1].message
    assert told_message is not None
    assert told_message.migrate_to_chat_id == new
    assert moved_message is not None
    assert moved_message.migrate_from_chat_id == old


async def test_button_presses_must_be_answered_soon_and_briefly(
    fake: FakeTelegram, bot: Bot
) -> None:
    sent = await bot.send_message(ANNA.id, "kies", reply_markup=keyboard(("Ja", "yes")))
    [recorded] = fake.messages(ANNA.id)
    first = fake.user_presses(ANNA, recorded, "yes")["callback_query"]["id"]
    with pytest.raises(BadRequest, match=r"(?i)message_too_long"):  # PTB capitalises it
        await bot.answer_callback_query(first, text="x" * 201)
    assert await bot.answer_callback_query(first, text="x" * 200)
    late = fake.user_presses(ANNA, recorded, "yes")["callback_query"]["id"]
    fake.expire_callbacks()
    with pytest.raises(BadRequest, match=r"(?i)query is too old"):
        await bot.answer_callback_query(late)
    assert sent.message_id == recorded.message_id


async def test_a_button_needs_a_text(bot: Bot) -> None:
    with pytest.raises(BadRequest, match="text must be non-empty"):
        await bot.send_message(ANNA.id, "kies", reply_markup=keyboard((" ", "yes")))


async def test_a_private_chat_allows_a_burst_then_about_one_a_second(bot: Bot) -> None:
    for number in range(PRIVATE_BURST):
        await bot.send_message(ANNA.id, f"bericht {number}")
    with pytest.raises(RetryAfter) as paced:
        await bot.send_message(ANNA.id, "een te veel")
    assert retry_seconds(paced.value) == 1


# --- files: voice notes in and out -------------------------------------------------------


async def test_a_voice_note_is_fetched_with_get_file_and_the_file_url(
    fake: FakeTelegram, bot: Bot
) -> None:
    raw = fake.user_sends_voice(ANNA, audio=b"OggS voice", duration=3)
    voice = Update.de_json(raw, bot).message.voice  # type: ignore[union-attr]
    assert voice is not None
    assert (voice.file_size, voice.mime_type) == (10, "audio/ogg")
    file = await bot.get_file(voice.file_id)
    assert file.file_path is not None
    # PTB joins the file URL, the token and the path Telegram gave.
    url = file.file_path
    path = url.removeprefix(f"{fake.file_url}{TOKEN}/")
    assert path.startswith("voice/")
    assert await bot.request.retrieve(url) == b"OggS voice"
    assert fake.downloads == [path]
    # Another token, or a path nobody was given: 404 (which PTB reads as InvalidToken).
    with pytest.raises(InvalidToken, match="Not Found"):
        await bot.request.retrieve(f"{fake.file_url}999:WRONG/{path}")
    # Links are valid for at least an hour; once expired, getFile gives a new one.
    fake.expire_file_links()
    with pytest.raises(InvalidToken, match="Not Found"):
        await bot.request.retrieve(url)
    again = await bot.get_file(voice.file_id)
    assert again.file_path is not None
    assert again.file_path != file.file_path
    assert await bot.request.retrieve(again.file_path) == b"OggS voice"


async def test_get_file_refuses_files_over_20_mb_and_unknown_ids(
    fake: FakeTelegram, bot: Bot
) -> None:
    raw = fake.user_sends_voice(ANNA, audio=b"x", reported_size=20 * 1024 * 1024 + 1)
    voice = Update.de_json(raw, bot).message.voice  # type: ignore[union-attr]
    assert voice is not None
    with pytest.raises(BadRequest, match=r"(?i)file is too big"):
        await bot.get_file(voice.file_id)
    with pytest.raises(BadRequest, match=r"(?i)wrong file_id"):
        await bot.get_file("AwACnothing")


async def test_send_voice_takes_an_upload_with_a_caption_and_protection(
    fake: FakeTelegram, bot: Bot
) -> None:
    sent = await bot.send_voice(
        ANNA.id,
        b"OggS note",
        caption="<b>SP-2026-0001</b>",
        parse_mode="HTML",
        protect_content=True,
        duration=timedelta(seconds=4),
    )
    assert sent.voice is not None
    assert sent.has_protected_content
    [media] = fake.media
    assert (media.method, media.data, media.protect_content, media.duration) == (
        "sendVoice",
        b"OggS note",
        True,
        4,
    )
    [recorded] = fake.messages(ANNA.id)
    assert recorded.plain_text == "SP-2026-0001"
    with pytest.raises(BadRequest, match=r"(?i)caption is too long"):
        await bot.send_voice(ANNA.id, b"OggS", caption="x" * 1025)
    with pytest.raises(Forbidden):
        await bot.send_document(777, b"data")  # never started the bot


async def test_a_reply_keyboard_asks_for_the_contact_and_can_be_removed(
    fake: FakeTelegram, bot: Bot
) -> None:
    share = ReplyKeyboardMarkup([[KeyboardButton("Deel mijn nummer", request_contact=True)]])
    asked = await bot.send_message(ANNA.id, "Welk nummer?", reply_markup=share)
    removed = await bot.send_message(ANNA.id, "Dank je", reply_markup=ReplyKeyboardRemove())
    first, second = fake.messages(ANNA.id)
    assert first.contact_button() == "Deel mijn nummer"
    assert second.removes_keyboard
    assert asked.reply_markup is None  # Telegram echoes inline keyboards only
    assert removed.reply_markup is None
    empty = ReplyKeyboardMarkup([[KeyboardButton(" ", request_contact=True)]])
    with pytest.raises(BadRequest, match=r"(?i)must be non-empty"):
        await bot.send_message(ANNA.id, "x", reply_markup=empty)
    contact = Update.de_json(fake.user_sends_contact(ANNA, "31612345678"), bot).message
    assert contact is not None
    assert contact.contact is not None
    assert contact.contact.user_id == ANNA.id
