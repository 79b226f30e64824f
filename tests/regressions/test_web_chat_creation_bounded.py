"""Anyone could start web chats without limit (about 285 KB each, kept for 7 days). A
client now starts at most ``web_chats_per_client_hour`` an hour and everybody together at
most ``web_chats_per_day`` a day; past that a resident reads, in their language, that it
is busy and to try again later, on the welcome page (with the safety numbers)."""

from __future__ import annotations

import re
from pathlib import Path

import httpx
import pytest
from sqlalchemy import func, select

from bot.app import App
from storage.models import WebChat
from tests.support.web_harness import web_service

pytestmark = pytest.mark.e2e

BUSY_NL = "Het is nu erg druk. Daarom kan er geen nieuw gesprek beginnen."
BUSY_TR = "Şu anda çok yoğunuz, bu yüzden yeni bir sohbet başlatılamıyor."


async def start_chat(base_url: str, source: str, language: str = "nl") -> httpx.Response:
    transport = httpx.AsyncHTTPTransport(local_address=source)
    headers = {"Accept-Language": language}
    async with httpx.AsyncClient(base_url=base_url, transport=transport, headers=headers) as web:
        page = (await web.get("/chat")).text
        nonce = re.search(r'name="nonce" value="([^"]+)"', page)
        assert nonce is not None
        return await web.post("/chat", data={"nonce": nonce[1], "text": "Hallo"})


async def chats(app: App) -> int:
    async with app.store.unit_of_work() as uow:
        return int((await uow.session.execute(select(func.count(WebChat.token_hash)))).scalar_one())


async def test_one_client_starts_only_so_many_chats(tmp_path: Path) -> None:
    async with web_service(tmp_path, run_outbox=False, web_chats_per_client_hour=3) as svc:
        started = [await start_chat(svc.base_url, "127.0.0.9") for _ in range(5)]
        assert [r.status_code for r in started] == [303, 303, 303, 429, 429]
        assert BUSY_NL in started[-1].text
        assert "112" in started[-1].text  # the welcome with the safety numbers stands
        turkish = await start_chat(svc.base_url, "127.0.0.9", "tr")
        assert turkish.status_code == 429
        assert BUSY_TR in turkish.text
        assert (await start_chat(svc.base_url, "127.0.0.10")).status_code == 303
        assert await chats(svc.app) == 4


async def test_all_together_start_only_so_many_a_day(tmp_path: Path) -> None:
    async with web_service(tmp_path, run_outbox=False, web_chats_per_day=4) as svc:
        started = [await start_chat(svc.base_url, f"127.0.1.{n}") for n in range(6)]
        assert [r.status_code for r in started] == [303] * 4 + [429] * 2
        assert BUSY_NL in started[-1].text
        assert await chats(svc.app) == 4
        svc.clock.advance(hours=25)  # a day later there is room again
        assert (await start_chat(svc.base_url, "127.0.1.99")).status_code == 303
