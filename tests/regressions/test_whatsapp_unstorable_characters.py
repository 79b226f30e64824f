"""Regression: JSON may escape a lone surrogate ("\ud800") or a NUL, and a validly signed
WhatsApp webhook carrying one could not be kept: a surrogate in a text or an id cannot be
encoded for encryption (503, or 500 from the blind index of an id), a NUL cannot be stored
in PostgreSQL's id column (503), and Meta would have delivered it again and again. Such
code points are now dropped when the body is read."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.fakes import whatsapp_payloads as wa
from tests.fakes.graph_api import FakeGraphAPI
from tests.support.telegram_harness import Clock
from tests.support.whatsapp_harness import APP_SECRET, Resident, running_whatsapp

pytestmark = pytest.mark.e2e


@pytest.mark.parametrize(
    ("field", "value"),
    [("text", "Merhaba \udfff\ud800"), ("id", "wamid.\ud83dA"), ("id", "wamid.\x00A")],
)
async def test_a_message_with_unstorable_code_points_is_kept_and_answered(
    tmp_path: Path, field: str, value: str
) -> None:
    async with FakeGraphAPI() as graph, running_whatsapp(graph, tmp_path, Clock()) as run:
        resident = Resident(run, graph, number="905321234567")
        item = wa.text_message(text="Merhaba", wa_id=resident.number, timestamp=run.clock())
        if field == "text":
            item.message["text"]["body"] = value
        else:
            item.message["id"] = value
        graph.user_wrote(resident.address)  # the message below comes as raw bytes
        body = json.dumps(wa.envelope(item), ensure_ascii=True).encode()
        response = await run.post({}, signature=wa.sign(body, APP_SECRET), body=body)
        assert response.status_code == 200
        await run.settle()
        [languages] = resident.chat
    assert "✓ Türkçe" in [title for _, title, _ in languages.rows]
