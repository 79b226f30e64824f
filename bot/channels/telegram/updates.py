"""Turning Telegram updates into engine events and staff actions, and replies into messages.

Every update is recorded by id inside the transaction that handles it, so a redelivered
update changes nothing. Updates of one chat are handled in order (long polling's one worker
per chat, and the service's per-reporter lock); different chats run concurrently.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Awaitable, Callable, Mapping
from datetime import datetime

from telegram import (
    CallbackQuery,
    InlineKeyboardMarkup,
    MaybeInaccessibleMessage,
    Message,
    ReplyKeyboardMarkup,
    ReplyKeyboardRemove,
    Update,
)
from telegram.constants import ChatType
from telegram.error import BadRequest, TelegramError
from telegram.ext import ExtBot

from bot.buttons import CheckinButton, ReporterButton, StaffButton, parse
from bot.followup.service import FollowUpService, ReporterAnswer
from bot.rendering import RenderedReply, render_texts
from bot.reporting.service import ConversationService
from bot.reporting.voice import ReceivedVoice
from bot.staff.accounts import StaffAccounts
from bot.staff.actions import SignalActions
from core.dialog.events import ContactShared, Event, Pick, TextIn, Unreadable
from core.followup.relay import find_reference
from core.text.catalog import Catalog
from core.text.languages import STAFF_LANGUAGE, language_from_tag

from .answered import PressedMessages
from .calls import send_text
from .format import contact_keyboard, reply_keyboard, split_text
from .keyboards import KeyboardStore, RecordedKeyboard
from .loket_chat import LoketChat
from .presses import NO_PRESS, AnswerOnce, both
from .presses import answer as answer_press
from .staff import StaffChat, account
from .voice import TelegramVoice, spoken

__all__ = ["ALLOWED_UPDATES", "CHANNEL", "KeyboardStore", "TelegramUpdates"]

log = logging.getLogger(__name__)

CHANNEL = "telegram"
ALLOWED_UPDATES = ("message", "edited_message", "callback_query")


def update_key(update: Update) -> str:
    return f"u{update.update_id}"


def chat_key(update: Update) -> int:
    """The chat an update belongs to, for ordering (a user's callbacks and messages together)."""
    if update.effective_chat is not None:
        return update.effective_chat.id
    return update.effective_user.id if update.effective_user else 0


def _offered(message: MaybeInaccessibleMessage, data: str | None) -> bool:
    """Whether ``message`` still shows a button with this payload."""
    markup = message.reply_markup if isinstance(message, Message) else None
    rows = markup.inline_keyboard if markup is not None else ()
    return any(button.callback_data == data for row in rows for button in row)


class TelegramUpdates:
    def __init__(
        self,
        bot: ExtBot[int],
        service: ConversationService,
        accounts: StaffAccounts,
        actions: SignalActions,
        store_keyboards: KeyboardStore,
        catalogs: Mapping[str, Catalog],
        loket_chat: LoketChat,
        clock: Callable[[], datetime],
        followup: FollowUpService,
        voice: TelegramVoice,
        *,
        answers_in_place: bool = True,
    ) -> None:
        self._bot = bot
        self._in_place = answers_in_place
        self._voice = voice
        # Chats shown the one-tap "share my number" keyboard: it is taken away with the
        # next message that has no buttons of its own (a reply keyboard stays otherwise).
        self._contact_open: set[int] = set()
        self._service = service
        self._accounts = accounts
        self._followup = followup
        self._catalogs = catalogs
        self._keyboards = store_keyboards
        self._clock = clock
        self._loket_chat = loket_chat
        self._answered = PressedMessages(bot, catalogs)
        self._staff = StaffChat(bot, accounts, actions, catalogs[STAFF_LANGUAGE], loket_chat)

    async def handle(self, update: Update) -> None:
        """Handle one update without writing the live-buttons record (long polling writes
        those with ``flush``, once per poll); errors are logged, never raised into the
        polling loop."""
        await self._logged(update, AnswerOnce(update.callback_query))

    async def flush(self) -> None:
        """Write the live-buttons records of the updates handled since the last flush."""
        await self._keyboards.flush()

    async def process(self, update: Update) -> dict[str, str] | None:
        """Handle one update and write its live-buttons record (webhook mode); the method
        for the webhook's response, if any (a reporter's press is answered there)."""
        press = AnswerOnce(update.callback_query, in_response=True)
        await self._logged(update, press)
        await self._keyboards.flush()
        return press.webhook_reply()

    async def _logged(self, update: Update, press: AnswerOnce) -> None:
        try:
            await self._process(update, self._clock(), press)
        except TelegramError:
            log.exception("sending to Telegram failed for update %s", update.update_id)
        except Exception:
            log.exception("handling update %s failed", update.update_id)

    async def _process(self, update: Update, now: datetime, press: AnswerOnce) -> None:
        if update.callback_query is not None:
            await self._callback(update, update.callback_query, now, press)
        elif update.edited_message is not None:
            if update.edited_message.chat.type == ChatType.PRIVATE:
                await self._reporter(update, Unreadable("edited"), now)
        elif update.message is not None:
            await self._message(update, update.message, now)

    async def _message(self, update: Update, message: Message, now: datetime) -> None:
        if message.migrate_to_chat_id is not None:  # the group became a supergroup
            await self._loket_chat.moved(message.chat.id, message.migrate_to_chat_id, now)
            return
        if message.migrate_from_chat_id is not None:  # ... and this is the supergroup
            await self._loket_chat.moved(message.migrate_from_chat_id, message.chat.id, now)
            return
        if message.from_user is None:
            return
        if message.chat.type != ChatType.PRIVATE:
            if self._staff.is_link_command(message.text or "") and await self._loket_chat.knows(
                message.chat.id
            ):
                await self._staff.refuse_group_link(message)
            return  # other group messages are not for the bot
        if message.text is not None and self._staff.is_link_command(message.text):
            await self._staff.link(update_key(update), message, now)
            return
        if message.text is not None and self._staff.is_view_command(message.text):
            await self._staff.view(update_key(update), message, now)
            return
        reference = self._answered_reference(message)
        if reference is not None and message.text is not None:
            await self._reply_to_question(update, message, reference, now)
            return
        await self._reporter(update, await self._event(message), now)

    async def _event(self, message: Message) -> Event | ReceivedVoice:
        """What a reporter's message says: text, a voice note (fetched and probed), their
        own number shared with the contact button, or something the bot cannot read."""
        if message.text is not None:
            return TextIn(message.text)
        media = spoken(message)
        if media is not None:
            return await self._voice.fetch(media)
        contact, sender = message.contact, message.from_user
        if contact is not None and sender is not None and contact.user_id == sender.id:
            return ContactShared(contact.phone_number)  # their own, not someone's card
        return Unreadable("media")

    def _answered_reference(self, message: Message) -> str | None:
        """The signal a message answers, when it replies to a question the bot asked."""
        asked = message.reply_to_message
        if asked is None or asked.from_user is None or asked.from_user.id != self._bot.id:
            return None
        return find_reference(asked.text or "")

    async def _reply_to_question(
        self, update: Update, message: Message, reference: str, now: datetime
    ) -> None:
        assert message.from_user is not None
        key = update_key(update)
        if await self._accounts.is_staff(account(message.from_user.id)):
            await self._staff.ask(key, message, reference, now)
            return
        answer = await self._followup.answer_question(
            CHANNEL, str(message.from_user.id), reference, message.text or "", now, update_key=key
        )
        await self._tell(message.chat.id, answer)

    async def _tell(self, chat_id: int, answer: ReporterAnswer | None) -> None:
        if answer is None:
            return  # a duplicate update: already answered
        language = answer.language if answer.language in self._catalogs else STAFF_LANGUAGE
        text = render_texts(answer.texts, self._catalogs[language], language)
        for chunk in split_text(text):
            await send_text(self._bot, chat_id, chunk, rate_limit_args=1)

    async def _checkin(
        self, update: Update, query: CallbackQuery, button: CheckinButton, now: datetime
    ) -> None:
        await answer_press(query)
        answer = await self._followup.answer_checkin(
            CHANNEL,
            str(query.from_user.id),
            button.signal_id,
            button.answer,
            now,
            update_key=update_key(update),
        )
        if answer is None or query.message is None:
            return
        if _offered(query.message, query.data):
            # A payload the message never carried (forged) leaves its buttons alone: they
            # may be the reporter's current question.
            await self._disable(query.message.chat.id, query.message.message_id)
        await self._tell(query.message.chat.id, answer)

    async def _callback(
        self, update: Update, query: CallbackQuery, now: datetime, answer: AnswerOnce
    ) -> None:
        button = parse(query.data)
        chat = query.message.chat if query.message is not None else None
        if isinstance(button, StaffButton):
            await self._staff.act(update_key(update), query, button, now)
            return
        if isinstance(button, CheckinButton):
            await self._checkin(update, query, button, now)
            return
        if chat is None or chat.type != ChatType.PRIVATE:
            await answer_press(query)
            return
        # A payload that is not ours is treated as a stale button: the step is asked again.
        pick = button if isinstance(button, ReporterButton) else ReporterButton("-", "-")
        try:
            await self._reporter(
                update, Pick(pick.prompt, pick.choice), now, query=query, answer=answer
            )
        finally:
            await answer()  # every press is answered, also a duplicate or a failure

    async def _reporter(
        self,
        update: Update,
        event: Event | ReceivedVoice,
        now: datetime,
        *,
        query: CallbackQuery | None = None,
        answer: Callable[[], Awaitable[None]] = NO_PRESS,
    ) -> None:
        user = update.effective_user
        chat = update.effective_chat
        if user is None or chat is None:
            return
        pressed = query.message.message_id if query is not None and query.message else None
        chat_key = str(chat.id)
        # A tap names the message it pressed; typed text needs the chat's recorded buttons,
        # read in the step's own transaction unless this process knows them already.
        recorded = (
            RecordedKeyboard(chat_key)
            if pressed is None and not self._keyboards.known(chat_key)
            else None
        )
        step = await self._service.handle_step(
            CHANNEL,
            str(user.id),
            event,
            now,
            message_id=update_key(update),
            language_hint=language_from_tag(user.language_code),
            read_along=recorded,
        )
        if not step.replies:
            return  # a duplicate update: already answered
        if step.failed:
            # Nothing was stored: the question asked last keeps its buttons, to press again.
            await both(self._send_texts(chat.id, step.replies), answer())
            return
        if pressed is not None:
            old: str | int | None = pressed
        else:
            old = recorded.message_id if recorded else self._keyboards.latest(chat_key)
        await self._send(chat.id, step.replies, event, query, old, answer)

    async def _send(
        self,
        chat_id: int,
        replies: list[RenderedReply],
        event: Event | ReceivedVoice,
        query: CallbackQuery | None,
        old: str | int | None,
        answer: Callable[[], Awaitable[None]],
    ) -> None:
        pressed = query.message if query is not None else None
        if (
            pressed is not None
            and isinstance(event, Pick)
            and len(replies) == 1
            and replies[0].multi
            and replies[0].prompt == event.prompt
        ):
            # A multi-select toggle: update the ✓ marks in place instead of asking again.
            await both(self._answered.toggle(chat_id, pressed, replies[0]), answer())
            return
        if query is not None and self._in_place and chat_id not in self._contact_open:
            # (a chat showing the contact button needs a new message to take it away)
            extended = await self._answered.extend(chat_id, query, replies, answer)
            if extended is not None:
                self._keyboards.remember(str(chat_id), extended or None)
                return
        # The next question first: it is what the reporter waits for. The press is answered
        # meanwhile (that only stops its spinner). The old buttons come off after the new
        # ones arrived, so if sending fails the reporter still has buttons to press again.
        keyboard_at, _ = await both(self._send_texts(chat_id, replies), answer())
        if old is not None:
            closed = query is not None and await self._answered.close(
                chat_id, int(old), query, replies[0].language
            )
            if not closed:
                await self._disable(chat_id, int(old))
        self._keyboards.remember(str(chat_id), keyboard_at)

    async def _send_texts(self, chat_id: int, replies: list[RenderedReply]) -> str | None:
        """Send the replies in order; the id of the last message with buttons, if any."""
        keyboard_at: str | None = None
        for reply in replies:
            for text, markup in self._messages(chat_id, reply):
                chunks = split_text(text)
                for index, chunk in enumerate(chunks):
                    last = index == len(chunks) - 1
                    sent = await send_text(
                        self._bot,
                        chat_id,
                        chunk,
                        markup=markup if last else None,
                        rate_limit_args=1,
                    )
                    if last and isinstance(markup, InlineKeyboardMarkup):
                        keyboard_at = str(sent)
        return keyboard_at

    def _messages(
        self, chat_id: int, reply: RenderedReply
    ) -> list[tuple[str, InlineKeyboardMarkup | ReplyKeyboardMarkup | ReplyKeyboardRemove | None]]:
        """The reply as messages with their markup: its buttons, the contact button, or
        (after a contact button) the removal of that keyboard, on a message of its own when
        the reply has buttons of its own and more than one paragraph to carry it."""
        inline = reply_keyboard(reply)
        contact = contact_keyboard(reply)
        if contact is not None:
            self._contact_open.add(chat_id)
            return [(reply.text, contact)]
        if chat_id not in self._contact_open:
            return [(reply.text, inline)]
        if inline is None:
            self._contact_open.discard(chat_id)
            return [(reply.text, ReplyKeyboardRemove())]
        head, sep, tail = reply.text.rpartition("\n\n")
        if not sep:
            return [(reply.text, inline)]
        self._contact_open.discard(chat_id)
        return [(head, ReplyKeyboardRemove()), (tail, inline)]

    async def _disable(self, chat_id: int, message_id: int) -> None:
        """Take the buttons off an answered question so they cannot be pressed twice."""
        with contextlib.suppress(BadRequest):  # already without buttons, or deleted
            await self._bot.edit_message_reply_markup(
                chat_id=chat_id, message_id=message_id, reply_markup=None, rate_limit_args=1
            )
