"""Hostile calls to both webhooks over real HTTP on loopback: bodies too large (declared,
or chunked without a length and never ending), nested without end, no UTF-8, no JSON, no
object, huge numbers, duplicate keys, and wrong secrets. None is answered 500, none leaves
anything stored, and the service answers the next real message as always."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Iterable
from pathlib import Path

import pytest
from sqlalchemy import func, select

from bot.channels.telegram.webhook import MAX_BODY as TELEGRAM_MAX
from bot.channels.telegram.webhook import PATH as TELEGRAM_PATH
from bot.channels.telegram.webhook import SECRET_HEADER
from bot.channels.whatsapp.webhook import MAX_BODY as WHATSAPP_MAX
from bot.channels.whatsapp.webhook import SIGNATURE_HEADER
from core.dialog.dialogs import WELCOME
from storage.models import InboundMessage, InboxMessage, Reporter
from storage.uow import Store
from tests.fakes import whatsapp_payloads as wa
from tests.fakes.graph_api import FakeGraphAPI
from tests.fakes.telegram_api import FakeTelegram, FakeUser
from tests.support import raw_http
from tests.support.telegram_harness import WEBHOOK_SECRET, Clock, webhook_bot
from tests.support.whatsapp_harness import APP_SECRET, PATH, Resident, running_whatsapp

pytestmark = pytest.mark.e2e

CASHIER = FakeUser(id=501, first_name="Sanne", language_code="nl")
DEEP = 100_000
# Refused by both webhooks once the caller is trusted: no JSON, or JSON no parser finishes.
UNREADABLE = {
    "empty": b"",
    "not-json": b"<html>hallo</html>",
    "invalid-utf8": b'{"update_id": 1, "x": "\xff\xfe\xc0\xaf"}',
    "latin1": '{"update_id": 1, "x": "café"}'.encode("latin-1"),
    "truncated": b'{"update_id": 1, "message": {"text": "hoi"',
    "deep-lists": b"[" * DEEP,
    "deep-objects": b'{"a":' * DEEP,
    "deep-closed": b"[" * DEEP + b"]" * DEEP,
    "huge-integer": b'{"update_id": ' + b"9" * 20_000 + b"}",
}
# JSON, but nothing Telegram would send: refused too.
NO_UPDATE = {
    "array": b"[1, 2]",
    "string": b'"update"',
    "null": b"null",
    "infinity": b"1e999",
    "nan-id": b'{"update_id": NaN}',
    "float-id": b'{"update_id": 1e400}',
    "string-id": b'{"update_id": "1"}',
    "no-id": b'{"message": {"text": "/start"}}',
    "list-for-object": b'{"update_id": 3, "poll": []}',
    "date-beyond-datetime": json.dumps(
        {"update_id": 4, "message": {"message_id": 1, "date": 1e20, "chat": {}}}
    ).encode(),
    "string-for-chat": b'{"update_id": 5, "message": {"message_id": 1, "date": 1, "chat": "x"}}',
}
# JSON objects with nothing for us in them: accepted, ignored.
EMPTY_UPDATES = {
    "duplicate-keys": b'{"update_id": 6, "update_id": 7, "poll_answer": null}',
    "nested-unknown": b'{"update_id": 8, "x": ' + b"[" * 200 + b"]" * 200 + b"}",
    "unknown-kind": b'{"update_id": 9, "some_future_kind": {"text": "hoi"}}',
}


async def count(store: Store, *tables: type[object]) -> int:
    total = 0
    async with store.engine.connect() as connection:
        for table in tables:
            counted = await connection.execute(select(func.count()).select_from(table))
            total += int(counted.scalar_one())
    return total


def flipped(text: str) -> list[bytes]:
    """``text`` with each bit flipped in turn, where the result can still be a header."""
    raw = text.encode()
    every = (
        raw[:i] + bytes([raw[i] ^ (1 << b)]) + raw[i + 1 :]
        for i in range(len(raw))
        for b in range(8)
    )
    return [value for value in every if all(c >= 0x20 and c != 0x7F for c in value)]


@pytest.fixture
async def fake() -> AsyncIterator[FakeTelegram]:
    async with FakeTelegram() as server:
        yield server


async def test_the_telegram_webhook_refuses_hostile_bodies_and_keeps_working(
    fake: FakeTelegram, tmp_path: Path
) -> None:
    secret = {SECRET_HEADER: WEBHOOK_SECRET}
    async with webhook_bot(fake, tmp_path) as (app, port):

        async def post(
            body: bytes | Iterable[bytes],
            *,
            chunked: bool = False,
            finish: bool = True,
            length: int | None = None,
        ) -> int:
            return await raw_http.post(
                port, TELEGRAM_PATH, body, secret, chunked=chunked, finish=finish, length=length
            )

        for name, body in (UNREADABLE | NO_UPDATE).items():
            assert await post(body) == 400, name
        for name, body in EMPTY_UPDATES.items():
            assert await post(body) == 200, name
        assert await post(b"", length=TELEGRAM_MAX + 1) == 413
        assert await post(b"", length=10**30) in (400, 413)  # h11 may refuse it first
        endless = (b"[" * 65_536 for _ in range(TELEGRAM_MAX // 65_536 + 2))
        assert await post(endless, chunked=True, finish=False) == 413
        update = fake.user_sends(CASHIER, "/start")
        for wrong in flipped(WEBHOOK_SECRET):
            headers = {SECRET_HEADER: wrong}
            status = await raw_http.post(port, TELEGRAM_PATH, json.dumps(update).encode(), headers)
            assert status == 401, wrong
        assert fake.messages(CASHIER.id) == []
        assert await count(app.store, InboundMessage, Reporter) == 0

        # A real update, chunked as a proxy might forward it, is answered as always.
        raw = json.dumps(update).encode()
        chunks = [raw[i : i + 7] for i in range(0, len(raw), 7)]
        assert await post(chunks, chunked=True) == 200
        [welcome] = fake.messages(CASHIER.id)
        assert welcome.plain_text.startswith(
            app.catalogs["nl"].gettext(WELCOME.prompt).split("%")[0]
        )


def signed(body: bytes) -> dict[str, str]:
    return {SIGNATURE_HEADER: wa.sign(body, APP_SECRET)}


async def test_the_whatsapp_webhook_refuses_hostile_bodies_and_keeps_working(
    tmp_path: Path,
) -> None:
    async with (
        FakeGraphAPI() as graph,
        running_whatsapp(graph, tmp_path, Clock()) as run,
    ):
        port = run.http.base_url.port
        assert port is not None

        async def post(
            body: bytes | Iterable[bytes],
            headers: dict[str, str],
            *,
            chunked: bool = False,
            finish: bool = True,
            length: int | None = None,
        ) -> int:
            return await raw_http.post(
                port, PATH, body, headers, chunked=chunked, finish=finish, length=length
            )

        for name, body in UNREADABLE.items():
            assert await post(body, signed(body)) == 400, name
            assert await post(body, {}) == 401, name  # no signature: not even parsed
        # A validly signed call that holds nothing for us is acknowledged, so Meta does
        # not deliver it again and again.
        for name, body in (NO_UPDATE | EMPTY_UPDATES).items():
            assert await post(body, signed(body)) == 200, name
        deep = b'{"entry": [{"changes": [{"field": "messages", "value": ' + b"[" * 300
        deep += b"]" * 300 + b"}]}]}"
        assert await post(deep, signed(deep)) == 200
        # Too large: refused before the signature is checked, so before it is read whole
        # (without a signature header at all, before anything: tests/regressions/
        # test_whatsapp_unsigned_body_unread.py).
        some_signature = {"X-Hub-Signature-256": "sha256=" + "0" * 64}
        assert await post(b"", some_signature, length=WHATSAPP_MAX + 1) == 413
        endless = (b"x" * 65_536 for _ in range(WHATSAPP_MAX // 65_536 + 2))
        assert await post(endless, some_signature, chunked=True, finish=False) == 413
        assert await post(b"", {}, length=WHATSAPP_MAX + 1) == 401
        await run.settle()
        assert await count(run.app.store, InboxMessage, InboundMessage, Reporter) == 0
        assert graph.sent == []

        resident = Resident(run, graph, number="905321234567")
        [languages] = await resident.says("Merhaba")
    assert "✓ Türkçe" in [title for _, title, _ in languages.rows]
