"""The ``signaalpunt`` command: chat, run, db upgrade, flows diagram."""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
from pathlib import Path

from conversations.diagram import flows_markdown
from conversations.text import LANGUAGES

from .app import build_app
from .console import chat
from .settings import Settings


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="signaalpunt", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    for name, text in (("chat", "terminal chat"), ("run", "run every configured channel")):
        sub = commands.add_parser(name, help=text)
        sub.add_argument("--as", dest="user", default="console", help="reporter name")
        sub.add_argument("--lang", choices=LANGUAGES, default=None, help="first language")
    db = commands.add_parser("db", help="database maintenance")
    db.add_argument("action", choices=["upgrade"])
    flows = commands.add_parser("flows", help="write the flow diagram")
    flows.add_argument("--output", type=Path, default=Path("docs/flows.md"))
    return parser


async def _chat(settings: Settings, user: str, language: str | None) -> None:
    app = await build_app(settings)
    try:
        await chat(app, user, language=language)
    finally:
        await app.close()


async def _upgrade(settings: Settings) -> None:
    app = await build_app(settings)
    await app.close()


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    logging.basicConfig(level=logging.WARNING, stream=sys.stderr)
    if args.command == "flows":
        args.output.write_text(flows_markdown(), encoding="utf-8")
        return 0
    settings = Settings()
    if args.command == "db":
        asyncio.run(_upgrade(settings))
        print(f"database ready: {settings.database_url}")
        return 0
    try:
        asyncio.run(_chat(settings, args.user, args.lang))
    except KeyboardInterrupt:
        return 130
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
