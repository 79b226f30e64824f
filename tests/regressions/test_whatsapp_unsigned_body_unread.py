"""The WhatsApp webhook read up to 3 MB of body before looking at the signature, even when
there was no signature header at all: 150 unsigned 3 MB posts, 50 at a time, grew the
service by 112 MB. A missing or malformed ``X-Hub-Signature-256`` is now refused before a
byte of the body is read: these requests declare 3 MB and send none of it, and are
answered all the same."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.fakes.graph_api import FakeGraphAPI
from tests.support import raw_http
from tests.support.telegram_harness import Clock
from tests.support.whatsapp_harness import PATH, running_whatsapp

pytestmark = pytest.mark.e2e

MALFORMED = [
    None,
    "",
    "sha256=",
    "sha1=" + "0" * 40,
    "sha256=" + "0" * 63,
    "sha256=" + "0" * 65,
    "sha256=" + "G" * 64,
    "SHA256=" + "0" * 64,
    "sha256=" + "A" * 64,  # Meta writes lower-case hex
]


async def test_an_unsigned_post_is_refused_before_its_body_is_read(tmp_path: Path) -> None:
    async with FakeGraphAPI() as graph, running_whatsapp(graph, tmp_path, Clock()) as run:
        port = run.http.base_url.port
        assert port is not None
        for signature in MALFORMED:
            headers = {} if signature is None else {"X-Hub-Signature-256": signature}
            # Content-Length 3,000,000 and no body: only an answer that does not wait for
            # the body arrives.
            assert await raw_http.post(port, PATH, headers=headers, length=3_000_000) == 401
        async with run.app.store.unit_of_work() as uow:
            assert await uow.inbox.waiting("whatsapp", 10) == []
