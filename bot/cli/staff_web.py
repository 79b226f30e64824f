"""``signaalpunt staff add-web`` and ``staff password``: dashboard logins for loket staff.

The password is asked twice without echo, or read from standard input for scripts
(``--password-stdin``); it never appears in the process list or the shell history.
"""

from __future__ import annotations

import argparse
import getpass
import re
import sys
from datetime import datetime

from bot.app import App
from bot.staff.passwords import hash_in_thread, password_problem
from core.lifecycle.parties import CLI
from core.text.sanitize import clean_text

USERNAME = re.compile(r"[a-z0-9][a-z0-9._-]{2,63}")


def _read_password(args: argparse.Namespace) -> str | None:
    if args.password_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    try:
        first = getpass.getpass("Password: ")
        second = getpass.getpass("Password again: ")
    except (EOFError, KeyboardInterrupt):
        return None
    if first != second:
        print("The two passwords differ; nothing was changed.", file=sys.stderr)
        return None
    return first


def _checked_password(args: argparse.Namespace, username: str) -> str | None:
    password = _read_password(args)
    if password is None:
        return None
    problem = password_problem(password, username)
    if problem is not None:
        print(f"signaalpunt: {problem}; nothing was changed.", file=sys.stderr)
        return None
    return password


async def add_web_staff(app: App, args: argparse.Namespace, now: datetime) -> int:
    username = args.username.strip().lower()
    if not USERNAME.fullmatch(username):
        print(
            "signaalpunt: a username has 3-64 characters: letters, digits, '.', '_' or '-', "
            "starting with a letter or digit",
            file=sys.stderr,
        )
        return 2
    name = " ".join(clean_text(args.name).split())[:64]
    if not name:
        print("signaalpunt: give the name colleagues see with --name", file=sys.stderr)
        return 2
    password = _checked_password(args, username)
    if password is None:
        return 2
    hashed = await hash_in_thread(password)
    async with app.store.unit_of_work() as uow:
        staff = await uow.logins.add_account(
            username, display_name=name, role=args.role, password_hash=hashed, now=now
        )
        outcome = "ok" if staff is not None else "refused:taken"
        await uow.audit.record(at=now, actor=CLI, action="add_web", outcome=outcome)
        await uow.commit()
    if staff is None:
        print(f"signaalpunt: the username {username} is already taken.", file=sys.stderr)
        return 1
    print(f"Dashboard login {username} created for {name} (role {args.role}, id {staff.id}).")
    print("Log in at /loket/login.")
    return 0


async def set_web_password(app: App, args: argparse.Namespace, now: datetime) -> int:
    username = args.username.strip().lower()
    async with app.store.unit_of_work() as uow:
        account = await uow.logins.account(username)
    if account is None:
        print(f"signaalpunt: no dashboard login named {username}.", file=sys.stderr)
        return 1
    password = _checked_password(args, username)
    if password is None:
        return 2
    hashed = await hash_in_thread(password)
    async with app.store.unit_of_work() as uow:
        await uow.logins.set_password(account.staff.id, hashed)
        closed = await uow.logins.close_sessions_of(account.staff.id)
        await uow.audit.record(at=now, actor=CLI, action="password", outcome="ok")
        await uow.commit()
    print(f"New password set for {username}; {closed} open session(s) logged out.")
    return 0
