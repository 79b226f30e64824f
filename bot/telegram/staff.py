"""Staff on Telegram: ``/koppel CODE`` in a private chat, and buttons on loket cards."""

from __future__ import annotations

import contextlib
from datetime import datetime

from telegram import CallbackQuery, Message
from telegram.constants import ChatType
from telegram.error import BadRequest
from telegram.ext import ExtBot

from conversations import loket_texts as t
from conversations.matching import Catalog
from conversations.render import render
from conversations.text import STAFF_LANGUAGE, Msg, msg

from ..callbacks import StaffButton
from ..loket import LoketService
from ..loket_messages import next_step_buttons
from .format import PARSE_MODE, escape, staff_keyboard

LINK_COMMAND = "/koppel"
TOAST_LIMIT = 200  # Telegram's limit for callback answers


class StaffChat:
    def __init__(
        self, bot: ExtBot[int], loket: LoketService, catalog: Catalog, loket_chat_id: int
    ) -> None:
        self._bot = bot
        self._loket = loket
        self._catalog = catalog
        self._loket_chat_id = loket_chat_id

    def _render(self, text: Msg) -> str:
        return render(text, self._catalog, STAFF_LANGUAGE)

    @staticmethod
    def is_link_command(text: str) -> bool:
        head = text.strip().split(maxsplit=1)[0] if text.strip() else ""
        return head.split("@", 1)[0].casefold() == LINK_COMMAND

    async def link(self, key: str, message: Message, now: datetime) -> None:
        user = message.from_user
        assert user is not None
        parts = message.text.split(maxsplit=1) if message.text else []
        code = parts[1] if len(parts) > 1 else ""
        reply = await self._loket.link(
            code,
            telegram_user_id=user.id,
            name=user.first_name,
            now=now,
            update_key=key,
        )
        if reply is not None:
            await self._bot.send_message(
                message.chat.id, escape(self._render(reply)), parse_mode=PARSE_MODE
            )

    async def refuse_group_link(self, message: Message) -> None:
        """A code posted in the group is not redeemed: everybody there could read it."""
        text = escape(self._render(msg(t.LINK_PRIVATE_ONLY)))
        await self._bot.send_message(message.chat.id, text, parse_mode=PARSE_MODE)

    async def act(self, key: str, query: CallbackQuery, button: StaffButton, now: datetime) -> None:
        chat = query.message.chat if query.message is not None else None
        if chat is None or (chat.type != ChatType.PRIVATE and chat.id != self._loket_chat_id):
            await query.answer(self._render(msg(t.REFUSED_NOT_STAFF)), show_alert=True)
            return
        result = await self._loket.act(
            button.action,
            button.signal_id,
            telegram_user_id=query.from_user.id,
            now=now,
            update_key=key,
        )
        if result is None:
            await query.answer()
            return
        await query.answer(self._render(result.text)[:TOAST_LIMIT], show_alert=not result.done)
        if result.done and chat.type == ChatType.PRIVATE and query.message is not None:
            assert result.status is not None
            buttons = next_step_buttons(self._catalog, result.status, button.signal_id)
            with contextlib.suppress(BadRequest):  # the buttons were already up to date
                await self._bot.edit_message_reply_markup(
                    chat_id=chat.id,
                    message_id=query.message.message_id,
                    reply_markup=staff_keyboard(buttons),
                )
