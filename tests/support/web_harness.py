"""Running the real web side (chat and dashboard over uvicorn on loopback) and driving it
with Playwright in Debian's chromium.

``web_service`` runs ``signaalpunt run``'s web channel in this event loop, so the test can
use the app and a controllable clock; the browser talks real HTTP to it.
"""

from __future__ import annotations

import contextlib
import gc
import io
import os
import re
import socket
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
from axe_playwright_python.base import AXE_SCRIPT
from playwright.async_api import Browser, BrowserContext, Page, async_playwright

from bot.app import App
from bot.bootstrap.build import build_app
from bot.bootstrap.serving import serving
from bot.bootstrap.web import web_channel
from bot.settings import Settings
from bot.staff.passwords import hash_password
from bot.voice.config import VoiceSettings
from storage.records import StaffRecord
from tests.fakes.messenger import RecordingMessenger, staff_channel
from tests.support.telegram_harness import Clock, no_transcripts

CHROMIUM = os.environ.get("SIGNAALPUNT_CHROMIUM", "/usr/bin/chromium")
# Without the background-networking flags chromium keeps trying to reach Google's hosts,
# which this machine's closed network refuses.
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"
PASSWORD = "correct horse battery staple"


@dataclass
class WebService:
    app: App
    base_url: str
    clock: Clock
    staff: RecordingMessenger  # the staff channel (Telegram's loket group in production)
    tmp_path: Path


def web_settings(tmp_path: Path, port: int, **extra: Any) -> Settings:
    """The web service's settings: SQLite in ``tmp_path`` unless ``extra`` names another
    ``database_url``."""
    values: dict[str, Any] = {
        "database_url": f"sqlite+aiosqlite:///{tmp_path / 'signaalpunt.db'}",
        "key_file": tmp_path / "keys.json",
        "http_host": "127.0.0.1",
        "http_port": port,
    }
    return Settings(_env_file=None, **(values | extra))  # type: ignore[call-arg]


FORM_TOKEN = re.compile(r'name="form_token" value="([^"]+)"')


async def post_login(
    client: httpx.AsyncClient, username: str, password: str = PASSWORD, next_path: str = ""
) -> httpx.Response:
    """The login form as a browser sends it: the page first (its form token and cookie),
    then the POST."""
    page = await client.get("/loket/login")
    token = FORM_TOKEN.search(page.text)
    data = {"username": username, "password": password, "next": next_path}
    return await client.post(
        "/loket/login", data=data | ({"form_token": token[1]} if token else {})
    )


@contextlib.asynccontextmanager
async def web_service(
    tmp_path: Path,
    *,
    clock: Clock | None = None,
    run_outbox: bool = True,
    port: int = 0,
    voice: VoiceSettings | None = None,
    **extra: Any,
) -> AsyncIterator[WebService]:
    """The web channel served on a free loopback port (or ``port``, for an address that
    must be known before, like the sign-on's redirect URL) until the block ends. Run it
    again on the same ``tmp_path`` to restart on the same database (and keys). Transcripts
    are made when the test drives ``app.transcript_sweep`` (``voice``: the model)."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", port))
    sock.listen(64)
    port = sock.getsockname()[1]
    clock = clock or Clock()
    try:
        app = await build_app(web_settings(tmp_path, port, **extra), voice or no_transcripts())
    except BaseException:
        sock.close()
        raise
    base_url = f"http://127.0.0.1:{port}"
    staff = staff_channel()
    try:
        channel = web_channel(app, clock, base_url)
        async with serving(
            app,
            clock,
            [channel],
            staff,
            run_outbox=run_outbox,
            run_scheduler=False,
            run_transcripts=False,
            sock=sock,
        ):
            yield WebService(app, base_url, clock, staff, tmp_path)
    finally:
        sock.close()
        await app.close()
        gc.collect()


async def add_web_staff(
    app: App,
    username: str,
    password: str = PASSWORD,
    *,
    role: str = "loket",
    name: str | None = None,
    now: Any = None,
) -> StaffRecord:
    from tests.support.telegram_harness import T0

    async with app.store.unit_of_work() as uow:
        record = await uow.logins.add_account(
            username,
            display_name=name or username.title(),
            role=role,
            password_hash=hash_password(password),
            now=now or T0,
        )
        await uow.commit()
    assert record is not None, f"username {username} is taken"
    return record


@contextlib.asynccontextmanager
async def browser(*extra_args: str) -> AsyncIterator[Browser]:
    """Chromium; ``extra_args`` for its command line (a fake microphone fed from a file)."""
    async with async_playwright() as playwright:
        launched = await playwright.chromium.launch(
            executable_path=CHROMIUM, args=[*CHROMIUM_ARGS, *extra_args], headless=True
        )
        try:
            yield launched
        finally:
            await launched.close()


@contextlib.asynccontextmanager
async def browser_context(*extra_args: str, **options: Any) -> AsyncIterator[BrowserContext]:
    """A fresh browser profile (cookies live as long as the block)."""
    async with browser(*extra_args) as launched:
        context = await launched.new_context(**options)
        try:
            yield context
        finally:
            await context.close()


@contextlib.asynccontextmanager
async def browser_page(**options: Any) -> AsyncIterator[Page]:
    """A page in a fresh profile; ``options`` as Playwright's ``new_context`` (viewport,
    locale, accept_downloads, ...)."""
    async with browser_context(**options) as context:
        page = await context.new_page()
        yield page


async def login(page: Page, base_url: str, username: str, password: str = PASSWORD) -> None:
    await page.goto(f"{base_url}/loket/login")
    await page.fill("#username", username)
    await page.fill("#password", password)
    await page.click("button[type=submit]")
    await page.wait_for_url(re.compile(r".*/loket/(?!login).*"))


async def screenshot(page: Page, name: str) -> Path:
    """A full-page screenshot under test-artifacts/screenshots/ (git-ignored)."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    await page.screenshot(path=str(path), full_page=True)
    return path


async def serious_violations(page: Page) -> list[dict[str, Any]]:
    """axe-core's serious and critical violations on the current page (WCAG 2.1 A/AA
    rules), each with its rule id and the offending elements."""
    await page.evaluate(AXE_SCRIPT)
    results: dict[str, Any] = await page.evaluate(
        "axe.run(document, {runOnly: {type: 'tag', values: "
        "['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice']}, "
        "resultTypes: ['violations']})"
    )
    return [
        {
            "id": v["id"],
            "impact": v["impact"],
            "help": v["help"],
            "nodes": [n["html"][:200] for n in v["nodes"][:5]],
        }
        for v in results["violations"]
        if v["impact"] in ("serious", "critical")
    ]


def silent() -> io.StringIO:
    return io.StringIO()
