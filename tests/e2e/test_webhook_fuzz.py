"""Hypothesis against both webhooks over real HTTP: update-shaped JSON with any value in any
field (wrong types, odd chat kinds, forged buttons, huge ids). Telegram calls are answered
200 or 400, never 500, and the service goes on answering a real reporter; signed WhatsApp
calls are acknowledged and processed without leaving anything stuck in the inbox."""

from __future__ import annotations

import itertools
import json
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.channels.telegram.webhook import PATH, SECRET_HEADER
from bot.channels.whatsapp.webhook import SIGNATURE_HEADER
from tests.fakes import whatsapp_payloads as wa
from tests.fakes.graph_api import FakeGraphAPI
from tests.fakes.telegram_api import FakeTelegram, FakeUser
from tests.fakes.whatsapp_payloads import PHONE_NUMBER_ID
from tests.support import raw_http
from tests.support.telegram_harness import LOKET, WEBHOOK_SECRET, Clock, webhook_bot
from tests.support.whatsapp_harness import APP_SECRET, Running, running_whatsapp
from tests.support.whatsapp_harness import PATH as WHATSAPP_PATH

pytestmark = pytest.mark.e2e
REPORTERS = itertools.count(777_001)

anything = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=30),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner, max_size=3)
    ),
    max_leaves=12,
)
ids = st.one_of(st.integers(min_value=-(2**63), max_value=2**63), anything)
user = st.fixed_dictionaries(
    {"id": ids, "is_bot": st.booleans() | anything, "first_name": st.text(max_size=20)},
    optional={"language_code": st.none() | st.text(max_size=12), "username": anything},
)
chat = st.fixed_dictionaries(
    {
        "id": st.sampled_from([LOKET, 4242]) | ids,
        "type": st.sampled_from(["private", "group", "supergroup", "channel", "x"]) | anything,
    }
)
message = st.fixed_dictionaries(
    {"message_id": ids, "date": ids, "chat": chat},
    optional={
        "from": user,
        "text": st.text(max_size=60) | st.sampled_from(["/start", "/koppel ABC", "/verwijder"]),
        "reply_to_message": anything,
        "photo": anything,
        "entities": anything,
    },
)
callback = st.fixed_dictionaries(
    {"id": st.text(max_size=10), "from": user, "chat_instance": st.text(max_size=5)},
    optional={
        "message": message,
        "data": st.text(max_size=80)
        | st.sampled_from(["s|claim|1", "s|show|1", "k|1|yes", "p|welcome|report"]),
    },
)
updates = st.fixed_dictionaries(
    {"update_id": st.integers(min_value=0, max_value=2**62)},
    optional={
        "message": message,
        "edited_message": message,
        "callback_query": callback,
        "my_chat_member": anything,
        "channel_post": message,
    },
)


@pytest.fixture
async def service(tmp_path: Path) -> AsyncIterator[tuple[FakeTelegram, int]]:
    async with FakeTelegram() as fake, webhook_bot(fake, tmp_path) as (_, port):
        yield fake, port


@settings(
    max_examples=120,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(update=updates)
async def test_any_update_shape_is_answered_without_a_server_error(
    service: tuple[FakeTelegram, int], update: dict[str, Any]
) -> None:
    _, port = service
    body = json.dumps(update).encode()
    status = await raw_http.post(port, PATH, body, {SECRET_HEADER: WEBHOOK_SECRET})
    assert status in (200, 400), update
    # The server lives on: a real reporter is still answered (checked now and then, as a
    # full step costs more than the fuzzed call).
    if update["update_id"] % 10 == 0:
        # A new reporter each time: one reporter would soon be over the message pace.
        fake, reporter = service[0], FakeUser(id=next(REPORTERS), first_name="Sanne")
        seen = len(fake.messages(reporter.id))
        real = json.dumps(fake.user_sends(reporter, "/help")).encode()
        assert await raw_http.post(port, PATH, real, {SECRET_HEADER: WEBHOOK_SECRET}) == 200
        assert len(fake.messages(reporter.id)) > seen


wa_message = st.fixed_dictionaries(
    {"from": st.sampled_from(["905321234567", "31612345678"]) | ids, "id": st.text(max_size=40)},
    optional={
        "timestamp": st.text(max_size=12) | ids,
        "type": st.sampled_from(["text", "interactive", "button", "image", "reaction", "x"]),
        "text": st.fixed_dictionaries({"body": st.text(max_size=60) | anything}) | anything,
        "interactive": anything,
        "context": anything,
        "from_user_id": anything,
    },
)
wa_bodies = st.builds(
    lambda messages, statuses, contacts, phone: {
        "object": "whatsapp_business_account",
        "entry": [
            {
                "id": "1",
                "changes": [
                    {
                        "field": "messages",
                        "value": {
                            "messaging_product": "whatsapp",
                            "metadata": {"phone_number_id": phone},
                            "contacts": contacts,
                            "messages": messages,
                            "statuses": statuses,
                        },
                    }
                ],
            }
        ],
    },
    st.lists(wa_message, max_size=3) | anything,
    st.lists(anything, max_size=2),
    st.lists(anything, max_size=2) | anything,
    st.just(None) | ids,
)


@pytest.fixture
async def whatsapp(tmp_path: Path) -> AsyncIterator[tuple[Running, int]]:
    async with FakeGraphAPI() as graph, running_whatsapp(graph, tmp_path, Clock()) as run:
        port = run.http.base_url.port
        assert port is not None
        yield run, port


@settings(
    max_examples=80,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(body=wa_bodies, phone_is_ours=st.booleans())
async def test_any_signed_whatsapp_body_is_acknowledged_and_processed_without_a_crash(
    whatsapp: tuple[Running, int], body: dict[str, Any], phone_is_ours: bool
) -> None:
    run, port = whatsapp
    if phone_is_ours:
        body["entry"][0]["changes"][0]["value"]["metadata"]["phone_number_id"] = PHONE_NUMBER_ID
    raw = json.dumps(body).encode()
    headers = {SIGNATURE_HEADER: wa.sign(raw, APP_SECRET)}
    # Signed: acknowledged (Meta would otherwise deliver it again and again), whatever it
    # holds; what is unusable is dropped when it is processed, never retried forever.
    assert await raw_http.post(port, WHATSAPP_PATH, raw, headers) == 200, body
    await run.settle()
    async with run.app.store.unit_of_work() as uow:
        assert await uow.inbox.waiting("whatsapp", 10) == []
