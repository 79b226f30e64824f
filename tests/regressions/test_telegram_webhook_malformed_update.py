"""Regression: the Telegram webhook caught only ValueError, TypeError, KeyError and
RecursionError from python-telegram-bot's parsing, which assumes Telegram's shapes: a
list where an object belongs raised AttributeError, a date beyond what a datetime holds
raised OverflowError or OSError, and the webhook answered 500. An update without an
integer ``update_id`` (which cannot be recorded, so not handled once) was accepted. All
are now refused with 400, and the bot answers the next update as always."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bot.channels.telegram.webhook import PATH, SECRET_HEADER
from tests.fakes.telegram_api import FakeTelegram, FakeUser
from tests.support import raw_http
from tests.support.telegram_harness import WEBHOOK_SECRET, webhook_bot

pytestmark = pytest.mark.e2e

MALFORMED = [
    {"update_id": 1, "poll": []},
    {"update_id": 2, "message": {"message_id": 1, "date": 1e20, "chat": {}}},
    {"update_id": 3, "message": {"message_id": 1, "date": 9e15, "chat": {"id": 1}}},
    {"update_id": 4, "callback_query": "x"},
    {"update_id": "5", "message": {"text": "/start"}},
    {"update_id": None},
]


async def test_a_malformed_update_is_a_bad_request(tmp_path: Path) -> None:
    user = FakeUser(id=501, first_name="Sanne")
    headers = {SECRET_HEADER: WEBHOOK_SECRET}
    async with FakeTelegram() as fake, webhook_bot(fake, tmp_path) as (_, port):
        for update in MALFORMED:
            body = json.dumps(update).encode()
            assert await raw_http.post(port, PATH, body, headers) == 400, update
        good = json.dumps(fake.user_sends(user, "/start")).encode()
        assert await raw_http.post(port, PATH, good, headers) == 200
        assert len(fake.messages(user.id)) == 1
