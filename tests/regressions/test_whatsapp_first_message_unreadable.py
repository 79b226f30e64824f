"""Regression: a photo (or anything unreadable) as the very first WhatsApp message got the
welcome menu instead of the language question, and a tap on that menu only brought the
language question up. Now the notice is followed by the language question. And a reaction
that is taken back (an empty emoji) is ignored instead of answered with "I can only read
text"."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.channels.whatsapp.inbound import parse_webhook
from core.dialog import messages as m
from tests.fakes import whatsapp_payloads as wa
from tests.fakes.graph_api import FakeGraphAPI
from tests.support.telegram_harness import Clock
from tests.support.whatsapp_harness import Resident, running_whatsapp

pytestmark = pytest.mark.e2e


async def test_a_photo_as_first_message_gets_the_language_question(tmp_path: Path) -> None:
    async with FakeGraphAPI() as graph, running_whatsapp(graph, tmp_path, Clock()) as run:
        resident = Resident(run, graph, number="905321234567")
        photo = wa.media_message(kind="image", wa_id=resident.number, timestamp=run.clock())
        notice, asked = await resident.sends(photo)
        assert notice.text == run.app.catalogs["tr"].gettext(m.UNREADABLE)
        assert "r|language|tr" in [row_id for row_id, *_ in asked.rows]
        await resident.taps("language", "tr")
        [role] = await resident.taps("welcome", "report")
        assert "r|role|shop" in [row_id for row_id, *_ in role.rows]


def test_a_reaction_taken_back_is_not_a_message() -> None:
    clock = Clock()
    removed = wa.reaction(emoji="", reacted_wamid="wamid.X", wa_id="31612345678", timestamp=clock())
    given = wa.reaction(emoji="👍", reacted_wamid="wamid.X", wa_id="31612345678", timestamp=clock())
    assert parse_webhook(wa.envelope(removed), wa.PHONE_NUMBER_ID, clock()) == ([], [])
    [message], _ = parse_webhook(wa.envelope(given), wa.PHONE_NUMBER_ID, clock())
    assert message.kind == "unreadable"
