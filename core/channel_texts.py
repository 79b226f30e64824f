"""The texts a channel shows in place of one that names a habit it does not have (the web
chat has buttons and one answer box, not commands, typed numbers or "reply to this
message"), or one it has that others lack (Telegram's button that shares a phone number).
Same parameters; the channel's shell picks its own (``bot.rendering``)."""

from __future__ import annotations

from collections.abc import Mapping

from core.dialog import messages as m
from core.followup import texts as ft

CHANNEL_TEXTS: Mapping[str, Mapping[str, str]] = {
    "web": {
        m.NOT_UNDERSTOOD: m.NOT_UNDERSTOOD_WEB,
        m.PRIVACY: m.PRIVACY_WEB,
        m.HELP: m.HELP_WEB,
        ft.QUESTION_FROM_LOKET: ft.QUESTION_FROM_LOKET_WEB,
    },
    # Telegram shares the reporter's number with one tap: the question says so.
    "telegram": {m.OWN_PHONE: m.OWN_PHONE_SHARE},
}


def variants(channel: str | None) -> Mapping[str, str]:
    return CHANNEL_TEXTS.get(channel or "", {})
