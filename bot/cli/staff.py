"""``signaalpunt staff …`` and ``signaalpunt partner …``: account and partner administration."""

from __future__ import annotations

import argparse
import sys
from datetime import datetime

from bot.app import App
from bot.staff.accounts import INVITE_VALID
from bot.staff.partners import MAX_NAME, partner_code, start_payload, telegram_link
from core.dialog.flows import REPORT_OTHER
from core.dialog.validation import parse_postcode
from core.lifecycle.parties import CLI
from core.text.sanitize import clean_text

from .staff_web import add_web_staff, set_web_password


async def staff_command(app: App, args: argparse.Namespace, now: datetime) -> int:
    if args.action == "add-web":
        return await add_web_staff(app, args, now)
    if args.action == "password":
        return await set_web_password(app, args, now)
    if args.action == "invite":
        code = await app.accounts.create_invite(args.role, now)
        expires = (now + INVITE_VALID).astimezone().strftime("%Y-%m-%d %H:%M")
        print(f"Invite code for role {args.role}: {code}")
        print(f"Single use, valid until {expires}. The staff member sends, in a private chat")
        print(f"with the bot:  /koppel {code}")
        return 0
    async with app.store.unit_of_work() as uow:
        if args.action == "list":
            accounts = await uow.staff.all()
            if not accounts:
                print(
                    "No staff accounts yet. Create an invite: signaalpunt staff invite --role loket"
                )
            for staff in accounts:
                state = "active" if staff.active else f"revoked {staff.revoked_at:%Y-%m-%d}"
                login = f"web:{staff.username}" if staff.username else ""
                # The Telegram channel's record of their account, shown to the admin.
                account = await uow.telegram_accounts.account_of(staff.id)
                telegram = f"telegram:{account}" if account is not None else ""
                where = "  ".join(part for part in (telegram, login) if part)
                print(f"{staff.id:>4}  {staff.role:<10} {staff.display_name:<24} {where}  {state}")
            return 0
        revoked = await uow.staff.revoke(args.staff_id, now)
        if revoked:  # logged out of the dashboard at once, not at the next page
            await uow.logins.close_sessions_of(args.staff_id)
        await uow.audit.record(
            at=now, actor=CLI, action="revoke", outcome="ok" if revoked else "refused:unknown"
        )
        await uow.commit()
    if not revoked:
        print(f"No active staff account with id {args.staff_id}.", file=sys.stderr)
        return 1
    print(f"Staff account {args.staff_id} revoked; its buttons and commands stop working now.")
    return 0


async def _bot_username(app: App) -> str | None:
    token = app.settings.telegram_token
    if token is None:
        return None
    from telegram.error import TelegramError

    from bot.channels.telegram.client import build_bot

    try:
        async with build_bot(token.get_secret_value(), app.settings.telegram_api_url) as bot:
            return bot.username
    except TelegramError as error:
        # The partner is already stored; a Bot API that cannot be reached (or a wrong token)
        # only costs the bot's name in the printed link.
        print(f"signaalpunt: could not ask Telegram for the bot's name: {error}", file=sys.stderr)
        return None


async def partner_command(app: App, args: argparse.Namespace, now: datetime) -> int:
    async with app.store.unit_of_work() as uow:
        if args.action == "add":
            name = " ".join(clean_text(args.name).split())
            if not name:
                print(
                    'Give the partner\'s name, e.g. signaalpunt partner add "Jumbo Terneuzen"',
                    file=sys.stderr,
                )
                return 2
            if len(name) > MAX_NAME:
                print(
                    f"The partner's name is too long: at most {MAX_NAME} characters.",
                    file=sys.stderr,
                )
                return 2
            roles = {c.id for c in REPORT_OTHER.step("role").choices}
            postcode = parse_postcode(args.postcode) if args.postcode else None
            if args.role not in roles or (args.postcode and postcode is None):
                print(
                    f"--role is one of {', '.join(sorted(roles))}; --postcode a Dutch postcode.",
                    file=sys.stderr,
                )
                return 2
            taken = {p.code for p in await uow.partners.all()}
            code = partner_code(name, taken)
            added = await uow.partners.add(code, name, now, role=args.role, postcode=postcode)
            partners = [added]
            await uow.commit()
        else:
            partners = await uow.partners.all()
    username = await _bot_username(app) if partners else None
    for partner in partners:
        print(f"{partner.name}  (code {partner.code})")
        if username:
            print(f"  Telegram: {telegram_link(username, partner.code)}")
        else:
            print(f"  Telegram: https://t.me/<bot>?start={start_payload(partner.code)}")
            if app.settings.telegram_token is None:
                print("  (set SIGNAALPUNT_TELEGRAM_TOKEN to print the full link)")
            else:
                print("  (<bot> is the bot's username; Telegram could not be asked for it)")
    if not partners:
        print("No partners yet.")
    return 0
