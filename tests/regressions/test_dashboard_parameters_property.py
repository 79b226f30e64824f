"""Every parameter of the dashboard (and the chat), query, path and form, with any value:
never a 500. The probe found Unicode digits (``?page=²``) and the calendar's end
(``?to=9999-12-31``); this keeps the whole class out: other scripts' digits, huge numbers,
NUL (which PostgreSQL refuses in text), dates out of range, long values, text in any
script. Runs on SQLite and on PostgreSQL."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.dashboard.intake import FLOWS
from tests.support.builders import make_draft
from tests.support.keys import TEST_KEY_ENV
from tests.support.pg import PostgresServer
from tests.support.telegram_harness import T0
from tests.support.web_harness import PASSWORD, add_web_staff, post_login, web_service

pytestmark = pytest.mark.e2e

HOSTILE = [
    "²", "³", "①", "٣", "１", "9" * 400, "-1", "0", "1e309", "NaN", "\x00", "a\x00b",
    "9999-12-31", "0000-00-00", "31-12-9999", "29-02-2027", "2026-13-01", "../../etc/passwd",
    "%00", "SP-2026-0001", "sp-2026-0001\x00", "open", "all", "yes", "1", "4536",
    "=HYPERLINK(\"x\")", "<script>", "\u202e", "\ud7ff", "x" * 5000,
]  # fmt: skip
values = st.sampled_from(HOSTILE) | st.text(max_size=40) | st.integers().map(str)

QUERIES = {
    "/loket/": (
        "status", "urgent", "area", "postcode", "partner", "channel", "mine", "overdue", "page",
    ),
    "/loket/monitoring": ("period", "from", "to"),
    "/loket/monitoring/partner.csv": ("period", "from", "to"),
    "/loket/partners": (),
    "/loket/login": ("next",),
    "/chat": ("partner",),
}  # fmt: skip
PATHS = (
    "/loket/signalen/{}",
    "/loket/monitoring/{}.csv",
    "/loket/partners/{}/poster",
    "/loket/partners/jumbo/qr-{}.svg",
    "/loket/telefoon/{}",
    "/loket/signalen/{}/spraak/1",
    "/loket/signalen/SP-2026-0001/spraak/{}",
)
FORMS = {
    "/loket/signalen/{reference}/actie": ("action", "option", "nonce"),
    "/loket/signalen/{reference}/vraag": ("question", "nonce"),
    "/loket/partners": ("name",),
    "/loket/telefoon/other": (
        *(q.id for q in FLOWS["other"].steps),
        "form_id",
        "partner",
        "postcode",
    ),
    "/chat": (
        "text", "choice", "prompt", "data", "question", "answer", "command", "language",
        "nonce", "partner",
    ),
}  # fmt: skip


@dataclass
class Dashboard:
    http: httpx.AsyncClient
    csrf: str
    reference: str


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
async def dashboard(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Dashboard]:
    extra: dict[str, Any] = {"web_chats_per_client_hour": 10_000}
    server: PostgresServer | None = None
    if request.param == "postgresql":
        server = request.getfixturevalue("postgres_server")
        assert server is not None
        extra["database_url"] = await server.create_database()
        extra["encryption_keys"] = TEST_KEY_ENV["SIGNAALPUNT_ENCRYPTION_KEYS"]
        extra["index_key"] = TEST_KEY_ENV["SIGNAALPUNT_INDEX_KEY"]
    try:
        async with web_service(tmp_path, run_outbox=False, **extra) as svc:
            await add_web_staff(svc.app, "rita", role="regisseur")
            async with svc.app.store.unit_of_work() as uow:
                await uow.partners.add("jumbo", "Jumbo", T0)
                draft = make_draft(submitted_at=T0, partner="jumbo")
                signal = await uow.signals.add(draft, reporter_id=None, channel="web", now=T0)
                await uow.commit()
            async with httpx.AsyncClient(base_url=svc.base_url, timeout=30) as http:
                assert (await post_login(http, "rita", PASSWORD, "/loket/")).status_code == 303
                page = (await http.get(f"/loket/signalen/{signal.reference}")).text
                csrf = re.search(r'name="csrf" value="([^"]+)"', page)
                assert csrf is not None
                yield Dashboard(http, csrf[1], signal.reference)
    finally:
        if server is not None:
            await server.drop_database(str(extra["database_url"]))


SETTINGS = settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


def no_server_error(response: httpx.Response) -> None:
    assert response.status_code < 500, (response.request.url, response.status_code)


@SETTINGS
@given(data=st.data())
async def test_any_query_parameter(dashboard: Dashboard, data: st.DataObject) -> None:
    path = data.draw(st.sampled_from(sorted(QUERIES)))
    names = QUERIES[path]
    params = data.draw(st.dictionaries(st.sampled_from(names), values)) if names else {}
    no_server_error(await dashboard.http.get(path, params=params))


@SETTINGS
@given(path=st.sampled_from(PATHS), value=values)
async def test_any_path_parameter(dashboard: Dashboard, path: str, value: str) -> None:
    no_server_error(await dashboard.http.get(path.format(quote(value, safe=""))))


@SETTINGS
@given(data=st.data())
async def test_any_form_field(dashboard: Dashboard, data: st.DataObject) -> None:
    path = data.draw(st.sampled_from(sorted(FORMS)))
    fields = data.draw(st.dictionaries(st.sampled_from(FORMS[path]), values, min_size=1))
    url = path.format(reference=dashboard.reference)
    no_server_error(await dashboard.http.post(url, data=fields | {"csrf": dashboard.csrf}))


@SETTINGS
@given(query=st.dictionaries(st.sampled_from(("nonce", "partner")), values), body=st.binary())
async def test_any_voice_upload(dashboard: Dashboard, query: dict[str, str], body: bytes) -> None:
    """Whatever a page (or anyone) posts as a recorded voice message: never a 500."""
    headers = {"Content-Type": "audio/webm"}
    no_server_error(
        await dashboard.http.post("/chat/voice", params=query, content=body, headers=headers)
    )


async def test_bytes_that_are_no_text(dashboard: Dashboard) -> None:
    for query in ("page=%FF%FE", "from=%C0%80&to=%ED%A0%80", "partner=%00", "postcode=%F0%9F"):
        no_server_error(await dashboard.http.get(httpx.URL("/loket/?" + query)))
        no_server_error(await dashboard.http.get(httpx.URL("/loket/monitoring?" + query)))
    body = b"csrf=" + dashboard.csrf.encode() + b"&name=%FF%00%ED%A0%80"
    headers = {"Content-Type": "application/x-www-form-urlencoded"}
    no_server_error(await dashboard.http.post("/loket/partners", content=body, headers=headers))
