"""The staff and partner administration as an operator types it: the real ``signaalpunt``
command in a subprocess, a real SQLite file, only the environment variables it is given."""

from __future__ import annotations

import asyncio
import re
import socket
import subprocess
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.staff.accounts import CODE_ALPHABET, StaffAccounts
from core.lifecycle import staff_texts
from storage.database import make_engine
from storage.migrations import head
from storage.uow import Store
from tests.fakes.telegram_api import FakeTelegram
from tests.support.builders import telegram
from tests.support.keys import TEST_KEY_ENV, TEST_KEYRING
from tests.support.processes import SIGNAALPUNT, process_env

pytestmark = [pytest.mark.e2e, pytest.mark.wall_clock]

_GROUP = f"[{CODE_ALPHABET}]{{4}}"
INVITE_CODE = re.compile(rf"\b{_GROUP}-{_GROUP}-{_GROUP}\b")
LOKET_CHAT = "-100500"
TOKEN = "123:TEST"


def database_url(tmp_path: Path) -> str:
    return f"sqlite+aiosqlite:///{tmp_path / 'db.sqlite3'}"


def environment(tmp_path: Path, **extra: str) -> dict[str, str]:
    return process_env({"SIGNAALPUNT_DATABASE_URL": database_url(tmp_path), **TEST_KEY_ENV} | extra)


def cli(tmp_path: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    """Run ``signaalpunt *args`` in ``tmp_path`` (so no stray .env file is read)."""
    result = subprocess.run(
        [str(SIGNAALPUNT), *args],
        capture_output=True,
        text=True,
        env=environment(tmp_path, **env),
        cwd=tmp_path,
        timeout=120,
        check=False,
    )
    assert "Traceback" not in result.stdout + result.stderr, result.stderr
    return result


async def cli_async(tmp_path: Path, *args: str, **env: str) -> tuple[int, str, str]:
    """Like ``cli``, for tests whose event loop must keep serving (the fake Bot API)."""
    process = await asyncio.create_subprocess_exec(
        str(SIGNAALPUNT),
        *args,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
        env=environment(tmp_path, **env),
        cwd=tmp_path,
    )
    try:
        out, err = await asyncio.wait_for(process.communicate(), timeout=120)
    except TimeoutError:
        process.kill()
        await process.wait()
        raise
    assert process.returncode is not None
    stdout, stderr = out.decode(), err.decode()
    assert "Traceback" not in stdout + stderr, stderr
    return process.returncode, stdout, stderr


def invite(tmp_path: Path, role: str = "loket") -> str:
    result = cli(tmp_path, "staff", "invite", "--role", role)
    assert result.returncode == 0, result.stderr
    [code] = {match.group() for match in INVITE_CODE.finditer(result.stdout)}
    return code


async def redeem(url: str, code: str, telegram_user_id: int, name: str) -> str:
    """Link a staff member in-process, as the bot does on ``/koppel <code>``."""
    engine = make_engine(url)
    try:
        reply = await StaffAccounts(Store(engine, TEST_KEYRING)).link(
            code, account=telegram(telegram_user_id), name=name, now=datetime.now(UTC)
        )
    finally:
        await engine.dispose()
    assert reply is not None
    return reply.msgid


def staff_rows(tmp_path: Path) -> list[list[str]]:
    result = cli(tmp_path, "staff", "list")
    assert result.returncode == 0, result.stderr
    return [line.split() for line in result.stdout.splitlines() if line.strip()]


# --- database and staff ----------------------------------------------------------------------


def test_db_upgrade_creates_the_database(tmp_path: Path) -> None:
    result = cli(tmp_path, "db", "upgrade")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == f"database ready at revision {head()}: {database_url(tmp_path)}"
    assert (tmp_path / "db.sqlite3").is_file()
    again = cli(tmp_path, "db", "upgrade")  # upgrading an existing database is harmless
    assert again.returncode == 0, again.stderr


def test_without_migrate_on_start_only_db_upgrade_migrates(tmp_path: Path) -> None:
    off = {"SIGNAALPUNT_MIGRATE_ON_START": "false"}
    refused = cli(tmp_path, "staff", "list", **off)
    assert refused.returncode == 2
    assert f"at revision (none), this version needs {head()}" in refused.stderr
    assert "signaalpunt db upgrade" in refused.stderr
    upgraded = cli(tmp_path, "db", "upgrade", **off)
    assert upgraded.returncode == 0, upgraded.stderr
    assert f"at revision {head()}" in upgraded.stdout
    assert cli(tmp_path, "staff", "list", **off).returncode == 0


def test_staff_invite_prints_a_single_use_code_for_koppel(tmp_path: Path) -> None:
    result = cli(tmp_path, "staff", "invite", "--role", "loket")
    assert result.returncode == 0, result.stderr
    [code] = {match.group() for match in INVITE_CODE.finditer(result.stdout)}
    assert f"Invite code for role loket: {code}" in result.stdout
    assert f"/koppel {code}" in result.stdout
    assert "Single use" in result.stdout
    assert invite(tmp_path) != code  # every invite gets its own random code


def test_an_unknown_role_is_refused_by_argparse(tmp_path: Path) -> None:
    result = cli(tmp_path, "staff", "invite", "--role", "baas")
    assert result.returncode == 2
    assert "invalid choice: 'baas'" in result.stderr
    assert "loket" in result.stderr  # the usage names the roles there are
    assert result.stdout == ""
    assert not (tmp_path / "db.sqlite3").exists()  # refused before touching the database


def test_staff_list_without_accounts_says_how_to_start(tmp_path: Path) -> None:
    result = cli(tmp_path, "staff", "list")
    assert result.returncode == 0, result.stderr
    assert "No staff accounts yet" in result.stdout
    assert "signaalpunt staff invite --role loket" in result.stdout


def test_revoking_an_unknown_staff_id_fails_clearly(tmp_path: Path) -> None:
    result = cli(tmp_path, "staff", "revoke", "99")
    assert result.returncode == 1
    assert "No active staff account with id 99." in result.stderr
    assert "revoked;" not in result.stdout


def test_staff_list_shows_a_redeemed_invite_until_revoked(tmp_path: Path) -> None:
    code = invite(tmp_path)
    assert asyncio.run(redeem(database_url(tmp_path), code, 601, "Anna")) == staff_texts.LINK_DONE
    # The invite is single use: a second person with the same code is refused.
    refused = asyncio.run(redeem(database_url(tmp_path), code, 602, "Bob"))
    assert refused == staff_texts.LINK_INVALID

    [row] = staff_rows(tmp_path)
    staff_id, role, name, telegram, state = row
    assert (role, name, telegram, state) == ("loket", "Anna", "telegram:601", "active")

    before = datetime.now(UTC).date().isoformat()
    revoked = cli(tmp_path, "staff", "revoke", staff_id)
    after = datetime.now(UTC).date().isoformat()
    assert revoked.returncode == 0, revoked.stderr
    assert f"Staff account {staff_id} revoked" in revoked.stdout
    [row] = staff_rows(tmp_path)
    assert row[:5] == [staff_id, "loket", "Anna", "telegram:601", "revoked"]
    assert row[5] in {before, after}  # the day of revocation (UTC)
    again = cli(tmp_path, "staff", "revoke", staff_id)  # already revoked: nothing to do
    assert again.returncode == 1
    assert f"No active staff account with id {staff_id}." in again.stderr


# --- partners --------------------------------------------------------------------------------


def test_partner_add_and_list_print_deep_links(tmp_path: Path) -> None:
    first = cli(tmp_path, "partner", "add", "Jumbo Terneuzen")
    assert first.returncode == 0, first.stderr
    assert "Jumbo Terneuzen  (code jumbo-terneuzen)" in first.stdout
    assert "https://t.me/<bot>?start=p_jumbo-terneuzen\n" in first.stdout
    assert "set SIGNAALPUNT_TELEGRAM_TOKEN" in first.stdout

    second = cli(tmp_path, "partner", "add", "Jumbo  Terneuzen")  # the same name, spaced out
    assert second.returncode == 0, second.stderr
    assert "Jumbo Terneuzen  (code jumbo-terneuzen-2)" in second.stdout
    assert "start=p_jumbo-terneuzen-2\n" in second.stdout

    blank = cli(tmp_path, "partner", "add", "   ")
    assert blank.returncode == 2
    assert "Give the partner's name" in blank.stderr
    assert blank.stdout == ""

    listed = cli(tmp_path, "partner", "list")
    assert listed.returncode == 0, listed.stderr
    assert "(code jumbo-terneuzen)" in listed.stdout
    assert "(code jumbo-terneuzen-2)" in listed.stdout
    assert "start=p_jumbo-terneuzen\n" in listed.stdout
    assert "start=p_jumbo-terneuzen-2\n" in listed.stdout
    assert listed.stdout.count("Jumbo Terneuzen  (code") == 2  # the blank name added nothing


def test_partner_list_without_partners(tmp_path: Path) -> None:
    result = cli(tmp_path, "partner", "list")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "No partners yet."


def test_partner_names_are_cleaned_and_limited(tmp_path: Path) -> None:
    # A direction override would let the name read differently on the loket card.
    cleaned = cli(tmp_path, "partner", "add", "Bibliotheek\u202e\tAxel")
    assert cleaned.returncode == 0, cleaned.stderr
    assert "Bibliotheek Axel  (code bibliotheek-axel)" in cleaned.stdout

    too_long = cli(tmp_path, "partner", "add", "Stichting " + "x" * 120)
    assert too_long.returncode == 2
    assert "too long" in too_long.stderr
    listed = cli(tmp_path, "partner", "list")
    assert listed.stdout.count("(code ") == 1


async def test_partner_add_asks_the_bot_api_for_the_bot_name(tmp_path: Path) -> None:
    async with FakeTelegram(TOKEN) as fake:
        code, out, err = await cli_async(
            tmp_path,
            "partner",
            "add",
            "Jumbo Terneuzen",
            SIGNAALPUNT_TELEGRAM_TOKEN=TOKEN,
            SIGNAALPUNT_TELEGRAM_API_URL=fake.api_url,
            SIGNAALPUNT_LOKET_CHAT_ID=LOKET_CHAT,
        )
        asked = [call.method for call in fake.requests]
    assert code == 0, err
    assert "getMe" in asked
    assert "  Telegram: https://t.me/signaalpunt_test_bot?start=p_jumbo-terneuzen\n" in out
    assert "<bot>" not in out


async def test_partner_add_with_a_wrong_token_still_adds_the_partner(tmp_path: Path) -> None:
    async with FakeTelegram(TOKEN) as fake:
        code, out, err = await cli_async(
            tmp_path,
            "partner",
            "add",
            "Jumbo Terneuzen",
            SIGNAALPUNT_TELEGRAM_TOKEN="123:WRONG",
            SIGNAALPUNT_TELEGRAM_API_URL=fake.api_url,
            SIGNAALPUNT_LOKET_CHAT_ID=LOKET_CHAT,
        )
        statuses = [call.status for call in fake.requests]
    assert code == 0, err
    assert 401 in statuses
    assert "could not ask Telegram for the bot's name" in err
    assert "https://t.me/<bot>?start=p_jumbo-terneuzen\n" in out
    listed = cli(tmp_path, "partner", "list")
    assert "(code jumbo-terneuzen)" in listed.stdout


# --- configuration problems ------------------------------------------------------------------

WHATSAPP = {
    "SIGNAALPUNT_WHATSAPP_PHONE_ID": "106540352242922",
    "SIGNAALPUNT_WHATSAPP_TOKEN": "token",
    "SIGNAALPUNT_WHATSAPP_APP_SECRET": "secret",
    "SIGNAALPUNT_WHATSAPP_VERIFY_TOKEN": "verify",
}
WEBHOOK = {
    "SIGNAALPUNT_TELEGRAM_TOKEN": TOKEN,
    "SIGNAALPUNT_LOKET_CHAT_ID": LOKET_CHAT,
    "SIGNAALPUNT_TELEGRAM_MODE": "webhook",
}


@pytest.mark.parametrize(
    ("env", "named"),
    [
        pytest.param(
            {"SIGNAALPUNT_TELEGRAM_TOKEN": TOKEN}, "SIGNAALPUNT_LOKET_CHAT_ID", id="no-loket-chat"
        ),
        pytest.param(WEBHOOK, "SIGNAALPUNT_TELEGRAM_WEBHOOK_URL", id="webhook-without-url"),
        pytest.param(
            {**WEBHOOK, "SIGNAALPUNT_TELEGRAM_WEBHOOK_URL": "https://bot.example.nl/telegram"},
            "SIGNAALPUNT_TELEGRAM_WEBHOOK_SECRET",
            id="webhook-without-secret",
        ),
        pytest.param(
            {
                **WEBHOOK,
                "SIGNAALPUNT_TELEGRAM_WEBHOOK_URL": "https://bot.example.nl/telegram",
                "SIGNAALPUNT_TELEGRAM_WEBHOOK_SECRET": "tooshort",
            },
            "SIGNAALPUNT_TELEGRAM_WEBHOOK_SECRET",
            id="webhook-secret-too-short",
        ),
        pytest.param(
            {"SIGNAALPUNT_LOKET_CHAT_ID": "loket"}, "SIGNAALPUNT_LOKET_CHAT_ID", id="not-a-number"
        ),
        pytest.param(
            {"SIGNAALPUNT_TELEGRAM_MODE": "push"}, "SIGNAALPUNT_TELEGRAM_MODE", id="unknown-mode"
        ),
        pytest.param(
            {"SIGNAALPUNT_WHATSAPP_PHONE_ID": "106540352242922"},
            "SIGNAALPUNT_WHATSAPP_TOKEN",
            id="whatsapp-without-token",
        ),
        pytest.param(
            {**WHATSAPP, "SIGNAALPUNT_WHATSAPP_APP_SECRET": " "},
            "SIGNAALPUNT_WHATSAPP_APP_SECRET",
            id="whatsapp-blank-app-secret",
        ),
        pytest.param(
            {**WHATSAPP, "SIGNAALPUNT_WHATSAPP_PHONE_ID": "+31 6 1234"},
            "SIGNAALPUNT_WHATSAPP_PHONE_ID",
            id="whatsapp-phone-number-instead-of-id",
        ),
        pytest.param(
            {**WHATSAPP, "SIGNAALPUNT_WHATSAPP_API_VERSION": "v23"},
            "SIGNAALPUNT_WHATSAPP_API_VERSION",
            id="whatsapp-api-version",
        ),
        pytest.param(
            {**WHATSAPP, "SIGNAALPUNT_WHATSAPP_CHECKIN_TEMPLATE": "Check-in NL"},
            "SIGNAALPUNT_WHATSAPP_CHECKIN_TEMPLATE",
            id="whatsapp-template-name",
        ),
    ],
)
def test_run_refuses_an_incomplete_configuration(
    tmp_path: Path, env: dict[str, str], named: str
) -> None:
    result = cli(tmp_path, "run", **env)
    assert result.returncode == 2
    assert result.stdout == ""
    [line] = result.stderr.splitlines()
    assert line.startswith("signaalpunt: configuration problem: ")
    assert named in line
    assert TOKEN not in line  # the token is a secret
    assert not (tmp_path / "db.sqlite3").exists()  # refused before opening anything


def test_run_with_an_unreachable_bot_api_says_so_without_a_traceback(tmp_path: Path) -> None:
    closed = socket.socket()
    closed.bind(("127.0.0.1", 0))
    port = closed.getsockname()[1]
    closed.close()  # nothing listens on this port now
    result = cli(
        tmp_path,
        "run",
        SIGNAALPUNT_TELEGRAM_TOKEN="123:TEST",
        SIGNAALPUNT_TELEGRAM_API_URL=f"http://127.0.0.1:{port}",
        SIGNAALPUNT_LOKET_CHAT_ID="-100500",
    )
    assert result.returncode == 1
    assert "cannot reach the Telegram Bot API" in result.stderr
    assert "Traceback" not in result.stderr
