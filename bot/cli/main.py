"""The ``signaalpunt`` command: chat, run, staff, partner, db upgrade, flows diagram."""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import Callable, Coroutine
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from pydantic import ValidationError
from pydantic_core import ErrorDetails
from sqlalchemy.engine import make_url

from bot.app import App
from bot.bootstrap.build import build_app
from bot.bootstrap.run import run_channels, run_console
from bot.channels.whatsapp.templates import templates_markdown
from bot.i18n import load_catalogs
from bot.logs import configure_logging
from bot.settings import Settings
from core.diagram import flows_markdown, lifecycle_markdown
from core.lifecycle import table as lifecycle
from core.text.languages import LANGUAGES
from storage.crypto import KeyringError
from storage.database import OutdatedSchema
from storage.migrations import status

from .keys import add_keys_parser, keys_command
from .staff import partner_command, staff_command


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="signaalpunt", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    for name, text in (
        ("chat", "terminal chat"),
        ("run", "run every configured channel, the web chat and the loket dashboard"),
    ):
        sub = commands.add_parser(name, help=text)
        sub.add_argument("--as", dest="user", default="console", help="reporter name")
        sub.add_argument("--lang", choices=LANGUAGES, default=None, help="first language")
    staff = commands.add_parser("staff", help="loket staff accounts").add_subparsers(
        dest="action", required=True
    )
    invite = staff.add_parser("invite", help="print a single-use code for /koppel")
    invite.add_argument("--role", choices=lifecycle.ROLES, required=True)
    add_web = staff.add_parser(
        "add-web", help="create a loket dashboard login (asks for the password twice)"
    )
    add_web.add_argument("username", help="3-64 characters: letters, digits, . _ -")
    add_web.add_argument("--role", choices=lifecycle.ROLES, required=True)
    add_web.add_argument("--name", required=True, help="the name colleagues see")
    add_web.add_argument(
        "--password-stdin", action="store_true", help="read the password from standard input"
    )
    password = staff.add_parser("password", help="set a new dashboard password")
    password.add_argument("username")
    password.add_argument("--password-stdin", action="store_true")
    staff.add_parser("list", help="list staff accounts")
    revoke = staff.add_parser("revoke", help="revoke a staff account")
    revoke.add_argument("staff_id", type=int)
    partner = commands.add_parser("partner", help="partner organisations").add_subparsers(
        dest="action", required=True
    )
    add = partner.add_parser("add", help="add a partner and print its deep link")
    add.add_argument("name")
    add.add_argument(
        "--role",
        default="shop",
        help="filled in as the reporter's role from the partner's link (default: shop)",
    )
    add.add_argument(
        "--postcode", help="filled in as the place from the partner's link (e.g. 4531 AB)"
    )
    partner.add_parser("list", help="list partners and their deep links")
    db = commands.add_parser("db", help="database maintenance")
    db.add_argument("action", choices=["upgrade"])
    add_keys_parser(commands)
    flows = commands.add_parser(
        "flows", help="write the flow diagram (and lifecycle.md, whatsapp-templates.md)"
    )
    flows.add_argument("--output", type=Path, default=Path("docs/flows.md"))
    return parser


def utc_now() -> datetime:
    return datetime.now(UTC)


async def _with_app(settings: Settings, work: Callable[[App], Coroutine[Any, Any, int]]) -> int:
    app = await build_app(settings)
    try:
        return await work(app)
    finally:
        await app.close()


async def _chat(app: App, args: argparse.Namespace) -> int:
    await run_console(app, args.user, clock=utc_now, language=args.lang)
    return 0


async def _run(app: App, args: argparse.Namespace) -> int:
    if app.settings.telegram_token is not None:
        from telegram.error import InvalidToken, TelegramError

        try:
            await run_channels(app, utc_now)
        except InvalidToken:
            print("signaalpunt: Telegram refused SIGNAALPUNT_TELEGRAM_TOKEN", file=sys.stderr)
            return 2
        except TelegramError as error:
            url = app.settings.telegram_api_url
            print(
                f"signaalpunt: cannot reach the Telegram Bot API at {url}: {error}", file=sys.stderr
            )
            return 1
        return 0
    await run_channels(app, utc_now)
    return 0


async def _staff(app: App, args: argparse.Namespace) -> int:
    return await staff_command(app, args, utc_now())


async def _partner(app: App, args: argparse.Namespace) -> int:
    return await partner_command(app, args, utc_now())


async def _upgrade(app: App, args: argparse.Namespace) -> int:
    # build_app migrated (``main`` turns migrate_on_start on for this command); the
    # revision is read back, so what is printed is what the database says.
    current, _ = await status(app.database)
    # Never print the database password.
    shown = make_url(app.settings.database_url).render_as_string(hide_password=True)
    print(f"database ready at revision {current}: {shown}")
    return 0


async def _keys(app: App, args: argparse.Namespace) -> int:
    return await keys_command(app, args)


COMMANDS: dict[str, Callable[[App, argparse.Namespace], Coroutine[Any, Any, int]]] = {
    "chat": _chat,
    "run": _run,
    "staff": _staff,
    "partner": _partner,
    "db": _upgrade,
    "keys": _keys,
}


def _problem(error: ErrorDetails) -> str:
    """One settings error; a field's error names its environment variable."""
    text = str(error["msg"]).removeprefix("Value error, ")
    if not error["loc"]:  # a check across settings names its variables itself
        return text
    variable = "SIGNAALPUNT_" + "_".join(str(part) for part in error["loc"]).upper()
    return f"{variable}: {text}"


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    if args.command == "flows":
        args.output.write_text(flows_markdown(), encoding="utf-8")
        args.output.with_name("lifecycle.md").write_text(lifecycle_markdown(), encoding="utf-8")
        templates = templates_markdown(load_catalogs())
        args.output.with_name("whatsapp-templates.md").write_text(templates, encoding="utf-8")
        return 0
    try:
        settings = Settings()
    except ValidationError as error:
        problems = "; ".join(_problem(e) for e in error.errors())
        print(f"signaalpunt: configuration problem: {problems}", file=sys.stderr)
        return 2
    configure_logging(settings.log_format, settings.log_level)
    if args.command == "chat":
        settings = settings.model_copy(update={"telegram_token": None, "whatsapp_phone_id": None})
    if args.command == "db":  # `db upgrade` migrates whatever SIGNAALPUNT_MIGRATE_ON_START says
        settings = settings.model_copy(update={"migrate_on_start": True})
    work = COMMANDS[args.command]
    try:
        return asyncio.run(_with_app(settings, lambda app: work(app, args)))
    except KeyringError as error:
        print(f"signaalpunt: encryption keys: {error}", file=sys.stderr)
        return 2
    except OutdatedSchema as error:
        print(f"signaalpunt: {error}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    raise SystemExit(main())
