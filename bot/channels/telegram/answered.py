"""The answered question edited into the next one: one Bot API call for a tap's reply.

A tap is answered with two calls, ``answerCallbackQuery`` and one ``editMessageText`` on the
message that was pressed (ADR 0111). The edit keeps what the message said, adds the
reporter's answer under it ("Je antwoord: Ja") and then the bot's reply with the next
question's buttons. So the chat still shows every question with the answer given, in
order, and the live buttons are always the last thing in it, under the reporter's thumb.

When the message would grow past Telegram's 4096 characters, the pressed message is closed
with the answer (no buttons) and the reply is sent as a new message, which the next taps
extend: three calls, once every few screens.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass

from telegram import CallbackQuery, InlineKeyboardMarkup, MaybeInaccessibleMessage, Message
from telegram.error import BadRequest
from telegram.ext import ExtBot

from bot.rendering import RenderedReply
from core.dialog import messages as m
from core.text.catalog import Catalog
from core.text.msgids import Many, Msg, UserText, msg
from core.text.render import render

from .calls import edit_text
from .format import SELECTED_MARK, contact_keyboard, reply_keyboard, split_text
from .presses import both

log = logging.getLogger(__name__)

# Between the answered question with its answer and what follows (as between replies).
PARAGRAPH = "\n\n"


@dataclass(frozen=True)
class Edit:
    """What the pressed message becomes: ``text`` (escaped HTML) and the buttons, if any."""

    text: str
    markup: InlineKeyboardMarkup | None


def pressed(query: CallbackQuery) -> tuple[Message, str] | None:
    """The pressed message and its text, when the press is one the message offers (not a
    forged or outdated payload) and it is a text message Telegram still gives the bot."""
    message: MaybeInaccessibleMessage | None = query.message
    if not isinstance(message, Message) or not message.text or message.reply_markup is None:
        return None
    offered = (b.callback_data for row in message.reply_markup.inline_keyboard for b in row)
    return (message, message.text) if query.data in offered else None


def chosen_labels(message: Message, data: str | None) -> list[str]:
    """What the reporter chose, as the buttons said it: the pressed button's label, or for
    a multiple choice's closing button the options ticked with ✓ (when any are)."""
    markup = message.reply_markup
    buttons = [b for row in (markup.inline_keyboard if markup else ()) for b in row]
    pressed = [b.text for b in buttons if b.callback_data == data]
    ticked = [b.text[len(SELECTED_MARK) :] for b in buttons if b.text.startswith(SELECTED_MARK)]
    if pressed and not pressed[0].startswith(SELECTED_MARK) and ticked:
        return ticked
    return pressed[:1]


def without_count(shown: str, count: int, catalog: Catalog, language: str) -> str:
    """The message without a multiple choice's count at its end ("2 antwoorden gekozen.
    Kies er nog meer, of kies Klaar."): once answered, the answer line says what was chosen."""
    status = Msg(m.SELECTED, {"count": count}, plural=m.SELECTED_PLURAL, count=count)
    head, sep, tail = shown.rstrip().rpartition(PARAGRAPH)
    return head if sep and tail == render(status, catalog, language) else shown


def answer_line(labels: Sequence[str], catalog: Catalog, language: str) -> str:
    """ "Je antwoord: …", each label isolated so its direction cannot scramble the line."""
    answer = Many(tuple(UserText(label) for label in labels))
    return render(msg(m.YOUR_ANSWER, answer=answer), catalog, language)


def toggled(shown: str, question: str) -> str:
    """The message with its current question (the last occurrence of its first paragraph
    on) shown anew, the answers above it kept."""
    at = shown.rfind(question.split(PARAGRAPH, 1)[0])
    chunks = split_text(shown[:at] + question) if at >= 0 else []
    return chunks[0] if len(chunks) == 1 else split_text(question)[0]


def closed(shown: str, labels: Sequence[str], catalog: Catalog, language: str) -> str | None:
    """The pressed message's text with the answer under it (escaped), if it fits."""
    shown = without_count(shown, len(labels), catalog, language)
    chunks = split_text(shown.rstrip() + "\n" + answer_line(labels, catalog, language))
    return chunks[0] if len(chunks) == 1 else None


def extended(
    shown: str,
    labels: Sequence[str],
    replies: Sequence[RenderedReply],
    catalogs: Mapping[str, Catalog],
) -> Edit | None:
    """The pressed message with the answer and the replies under it, when they fit in one
    message and only the last reply has buttons (inline ones: an edit can carry no other
    keyboard). None: send the replies as messages of their own."""
    if not replies or not labels:
        return None
    if any(reply_keyboard(reply) is not None for reply in replies[:-1]):
        return None
    if any(contact_keyboard(reply) is not None for reply in replies):
        return None  # the contact button is a reply keyboard: it comes with a new message
    language = replies[0].language if replies[0].language in catalogs else "nl"
    line = answer_line(labels, catalogs[language], language)
    shown = without_count(shown, len(labels), catalogs[language], language)
    text = PARAGRAPH.join([shown.rstrip() + "\n" + line, *(r.text for r in replies)])
    chunks = split_text(text)
    if len(chunks) != 1:
        return None
    return Edit(chunks[0], reply_keyboard(replies[-1]))


class PressedMessages:
    """Edits the pressed message: the answer and the next question into it, or (when they
    go as new messages) only the answer, which also takes its buttons off."""

    def __init__(self, bot: ExtBot[int], catalogs: Mapping[str, Catalog]) -> None:
        self._bot = bot
        self._catalogs = catalogs

    async def extend(
        self,
        chat_id: int,
        query: CallbackQuery,
        replies: Sequence[RenderedReply],
        answer: Callable[[], Awaitable[None]],
    ) -> str | None:
        """Edit the answer and ``replies`` into the pressed message, answering the press
        meanwhile. The message's id if it now has the live buttons, "" if it has none, and
        None when nothing was edited: the replies are to be sent as new messages."""
        found = pressed(query)
        if found is None:
            return None
        message, shown = found
        edit = extended(shown, chosen_labels(message, query.data), replies, self._catalogs)
        if edit is None:
            return None
        try:
            await both(
                edit_text(
                    self._bot,
                    chat_id,
                    message.message_id,
                    edit.text,
                    markup=edit.markup,
                    rate_limit_args=1,
                ),
                answer(),
            )
        except BadRequest as error:  # deleted by the reporter, or no longer editable
            log.info("the pressed message was not edited (%s); sending instead", error.message)
            return None
        return str(message.message_id) if edit.markup is not None else ""

    async def toggle(
        self, chat_id: int, message: MaybeInaccessibleMessage, reply: RenderedReply
    ) -> None:
        """A multiple choice's ✓ marks and count shown anew in the same message."""
        shown = message.text if isinstance(message, Message) and message.text else ""
        try:
            await edit_text(
                self._bot,
                chat_id,
                message.message_id,
                toggled(shown, reply.text),
                markup=reply_keyboard(reply),
                rate_limit_args=1,
            )
        except BadRequest as error:
            if "not modified" not in error.message.lower():
                raise

    async def close(
        self, chat_id: int, message_id: int, query: CallbackQuery, language: str
    ) -> bool:
        """Put the answer under the pressed question, which takes its buttons off; False
        when that is not for this message (another one had the buttons) or does not fit."""
        found = pressed(query)
        if found is None or found[0].message_id != message_id:
            return False
        message, shown = found
        labels = chosen_labels(message, query.data)
        catalog = self._catalogs.get(language) or self._catalogs["nl"]
        text = closed(shown, labels, catalog, language) if labels else None
        if text is None:
            return False
        with contextlib.suppress(BadRequest):  # deleted meanwhile: nothing left to close
            await edit_text(self._bot, chat_id, message_id, text, rate_limit_args=1)
        return True
