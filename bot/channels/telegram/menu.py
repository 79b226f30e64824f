"""The "/" command menu, in each reporter language (Telegram picks it by the user's app)."""

from __future__ import annotations

from collections.abc import Mapping

from telegram import BotCommand
from telegram.ext import ExtBot

from core.dialog.messages import COMMAND_MENU
from core.text.catalog import Catalog
from core.text.languages import DEFAULT_LANGUAGE, LANGUAGES
from core.text.msgids import Msg
from core.text.render import render


def command_menu(catalog: Catalog, language: str) -> list[BotCommand]:
    return [BotCommand(name, render(Msg(text), catalog, language)) for name, text in COMMAND_MENU]


async def set_command_menus(bot: ExtBot[int], catalogs: Mapping[str, Catalog]) -> None:
    for language in LANGUAGES:
        await bot.set_my_commands(
            command_menu(catalogs[language], language), language_code=language
        )
    # Everyone whose app language we do not support sees the default language's menu.
    await bot.set_my_commands(command_menu(catalogs[DEFAULT_LANGUAGE], DEFAULT_LANGUAGE))
