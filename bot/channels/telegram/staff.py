"""Staff on Telegram: ``/koppel CODE`` and ``/signaal REF`` in a private chat, buttons on
loket cards (with options for referral and closing), and questions to reporters."""

from __future__ import annotations

import contextlib
from datetime import datetime

from telegram import CallbackQuery, ForceReply, Message
from telegram.constants import ChatType
from telegram.error import BadRequest
from telegram.ext import ExtBot

from bot.buttons import SHOW, StaffButton, next_step_buttons, option_buttons
from bot.ports import Button
from bot.staff.accounts import StaffAccounts
from bot.staff.actions import SignalActions
from core.lifecycle import staff_texts as t
from core.lifecycle import table as lifecycle
from core.lifecycle.parties import Account
from core.text.catalog import Catalog
from core.text.languages import STAFF_LANGUAGE
from core.text.msgids import Msg, msg
from core.text.render import render

from .calls import send_text
from .format import escape, staff_keyboard
from .loket_chat import LoketChat
from .presses import answer

LINK_COMMAND = "/koppel"
VIEW_COMMAND = "/signaal"


def account(user_id: int) -> Account:
    """A Telegram user as the services know them: an account on the channel (the staff
    member behind it is looked up in the Telegram channel's own records)."""
    return Account("telegram", str(user_id))


def _command(text: str) -> tuple[str, str]:
    parts = text.strip().split(maxsplit=1)
    if not parts:
        return "", ""
    return parts[0].split("@", 1)[0].casefold(), parts[1] if len(parts) > 1 else ""


class StaffChat:
    def __init__(
        self,
        bot: ExtBot[int],
        accounts: StaffAccounts,
        actions: SignalActions,
        catalog: Catalog,
        loket_chat: LoketChat,
    ) -> None:
        self._bot = bot
        self._accounts = accounts
        self._actions = actions
        self._catalog = catalog
        self._loket_chat = loket_chat

    def _render(self, text: Msg) -> str:
        return render(text, self._catalog, STAFF_LANGUAGE)

    async def _say(self, chat_id: int, text: Msg, *, force_reply: bool = False) -> None:
        markup = ForceReply(selective=True) if force_reply else None
        await send_text(
            self._bot,
            chat_id,
            escape(self._render(text)),
            markup=markup,
            rate_limit_args=1,  # a reply to a person: paced first, a short 429 retried once
        )

    @staticmethod
    def is_link_command(text: str) -> bool:
        return _command(text)[0] == LINK_COMMAND

    @staticmethod
    def is_view_command(text: str) -> bool:
        return _command(text)[0] == VIEW_COMMAND

    async def link(self, key: str, message: Message, now: datetime) -> None:
        user = message.from_user
        assert user is not None
        reply = await self._accounts.link(
            _command(message.text or "")[1],
            account=account(user.id),
            name=user.first_name,
            now=now,
            update_key=key,
        )
        if reply is not None:
            await self._say(message.chat.id, reply)

    async def view(self, key: str, message: Message, now: datetime) -> None:
        """``/signaal REF``: the signal arrives as a (protected) message from the outbox."""
        assert message.from_user is not None
        reference = _command(message.text or "")[1]
        reply = await self._actions.view(
            reference, actor=account(message.from_user.id), now=now, update_key=key
        )
        if reply is not None:
            await self._say(message.chat.id, reply)

    async def ask(self, key: str, message: Message, reference: str, now: datetime) -> None:
        """A reply to the bot's "type your question" prompt: relay it to the reporter."""
        assert message.from_user is not None
        reply = await self._actions.ask(
            reference,
            message.text or "",
            actor=account(message.from_user.id),
            now=now,
            update_key=key,
        )
        if reply is not None:
            await self._say(message.chat.id, reply)

    async def refuse_group_link(self, message: Message) -> None:
        """A code posted in the group is not redeemed: everybody there could read it."""
        await self._say(message.chat.id, msg(t.LINK_PRIVATE_ONLY))

    async def act(self, key: str, query: CallbackQuery, button: StaffButton, now: datetime) -> None:
        chat = query.message.chat if query.message is not None else None
        if chat is None or (
            chat.type != ChatType.PRIVATE and not await self._loket_chat.knows(chat.id)
        ):
            await answer(query, self._render(msg(t.REFUSED_NOT_STAFF)), alert=True)
            return
        if button.action == SHOW:
            if not await self._accounts.is_staff(account(query.from_user.id)):
                # The buttons it draws tell a signal's status: not for a forged press.
                await answer(query, self._render(msg(t.REFUSED_NOT_STAFF)), alert=True)
                return
            status = await self._actions.status_of(button.signal_id)
            await answer(query)
            if status is not None and chat.type == ChatType.PRIVATE:
                await self._buttons(
                    query, next_step_buttons(self._catalog, status, button.signal_id)
                )
            return
        result = await self._actions.act(
            button.action,
            button.signal_id,
            actor=account(query.from_user.id),
            now=now,
            option=button.option,
            update_key=key,
        )
        if result is None:
            await answer(query)
            return
        if result.options and chat.type == ChatType.PRIVATE:
            await answer(query)
            action = lifecycle.ACTIONS[button.action]
            back = self._render(msg(t.OPTIONS_BACK))
            await self._buttons(
                query, option_buttons(self._catalog, action, button.signal_id, back)
            )
            return
        if result.ask:
            await answer(query)
            await self._say(chat.id, result.text, force_reply=True)
            return
        await answer(query, self._render(result.text), alert=not result.done)
        if result.done and chat.type == ChatType.PRIVATE:
            assert result.status is not None
            await self._buttons(
                query, next_step_buttons(self._catalog, result.status, button.signal_id)
            )

    async def _buttons(self, query: CallbackQuery, buttons: tuple[Button, ...]) -> None:
        if query.message is None:
            return
        with contextlib.suppress(BadRequest):  # the buttons were already up to date
            await self._bot.edit_message_reply_markup(
                chat_id=query.message.chat.id,
                message_id=query.message.message_id,
                reply_markup=staff_keyboard(buttons),
                rate_limit_args=1,
            )
