"""Logins with made-up usernames cannot run the service out of memory and time (a probe
sent 400, 40 at a time: 6.9 logins/s, the service grew from 222 to 616 MB and every other
request waited). Password checks are bounded: past the places, a login is answered "busy,
try again" at once with Retry-After, and one client cannot hold more than its share. The
time a real staff login takes during such a flood is measured in ``bench/login_flood.py``."""

from __future__ import annotations

import asyncio
import secrets
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.support.web_harness import post_login, web_service

pytestmark = pytest.mark.e2e

BUSY = "Inloggen is nu erg druk"


async def login_from(base_url: str, source: str, username: str) -> httpx.Response:
    transport = httpx.AsyncHTTPTransport(local_address=source)
    async with httpx.AsyncClient(base_url=base_url, transport=transport, timeout=60) as client:
        return await post_login(client, username, "a made-up password " + secrets.token_hex(4))


async def test_past_the_places_a_login_is_told_to_come_back(tmp_path: Path) -> None:
    limits: dict[str, Any] = {
        "login_checks": 1,
        "login_waiting": 2,
        "login_attempts_per_minute": 1000,
    }
    async with web_service(tmp_path, run_outbox=False, **limits) as svc:
        answers = await asyncio.gather(
            *(login_from(svc.base_url, f"127.0.0.{10 + n}", f"nobody-{n}") for n in range(24))
        )
    statuses = [a.status_code for a in answers]
    busy = [a for a in answers if a.status_code == 503]
    # At most 1 + 2 held a place at any moment; with 24 at once most were sent away.
    assert len(busy) >= 12, statuses
    assert set(statuses) <= {401, 503}
    for answer in busy:
        assert answer.headers["retry-after"].isdigit()
        assert BUSY in answer.text


async def test_one_client_cannot_fill_the_places(tmp_path: Path) -> None:
    limits: dict[str, Any] = {
        "login_checks": 2,
        "login_waiting": 50,
        "login_attempts_per_minute": 5,
    }
    async with web_service(tmp_path, run_outbox=False, **limits) as svc:
        answers = await asyncio.gather(
            *(login_from(svc.base_url, "127.0.0.7", f"nobody-{n}") for n in range(12))
        )
        later = [await login_from(svc.base_url, "127.0.0.7", f"later-{n}") for n in range(4)]
        elsewhere = await login_from(svc.base_url, "127.0.0.8", "somebody")
    statuses = [a.status_code for a in answers]
    # Two at a time from one client: the other ten were sent away at once.
    assert statuses.count(401) == 2, statuses
    assert statuses.count(429) == 10, statuses
    # Five a minute: after three more, the client waits.
    assert [a.status_code for a in later] == [401, 401, 401, 429]
    assert int(later[-1].headers["retry-after"]) >= 1
    assert BUSY in later[-1].text
    assert elsewhere.status_code == 401  # another client is checked as usual
