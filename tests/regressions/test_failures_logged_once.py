"""A client that went away in the middle of a form was logged as an ERROR with a
traceback (nothing had failed), and every 500 was logged twice (by the page's handler and
again by uvicorn). Now a disconnect is a quiet INFO line, and a failure one ERROR record,
with its type and frames but not its message."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from pathlib import Path

import httpx
import pytest
from sqlalchemy import text

from tests.support.builders import make_draft
from tests.support.telegram_harness import T0
from tests.support.web_harness import PASSWORD, add_web_staff, post_login, web_service

pytestmark = pytest.mark.e2e


class Records(logging.Handler):
    """Every record from any logger, and an event per record so a test can wait for one."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.records: list[logging.LogRecord] = []
        self.arrived = asyncio.Event()

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)
        self.arrived.set()

    def errors(self) -> list[logging.LogRecord]:
        return [r for r in self.records if r.levelno >= logging.ERROR]


@contextlib.contextmanager
def recording() -> contextlib.Generator[Records]:  # type: ignore[name-defined]
    handler = Records()
    root = logging.getLogger()
    previous = root.level
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    try:
        yield handler
    finally:
        root.removeHandler(handler)
        root.setLevel(previous)


async def half_a_form(port: int, path: str) -> None:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(
        f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 5000\r\n".encode()
        + b"Content-Type: application/x-www-form-urlencoded\r\n\r\nusername=an"
    )
    await writer.drain()
    writer.close()  # gone before the rest of the body
    with contextlib.suppress(ConnectionError):
        await writer.wait_closed()
    del reader


async def test_a_client_leaving_mid_form_is_no_error(tmp_path: Path) -> None:
    async with web_service(tmp_path, run_outbox=False) as svc:
        port = httpx.URL(svc.base_url).port
        assert port is not None
        with recording() as log:
            for path in ("/loket/login", "/chat"):
                log.arrived.clear()
                await half_a_form(port, path)
                async with asyncio.timeout(10):  # until the server noticed and logged it
                    while not any("disconnected" in r.getMessage() for r in log.records):
                        log.arrived.clear()
                        await log.arrived.wait()
                log.records.clear()
                assert log.errors() == []
        async with httpx.AsyncClient(base_url=svc.base_url) as http:
            assert (await http.get("/healthz")).status_code == 200


async def test_a_failing_page_is_logged_once(tmp_path: Path) -> None:
    async with web_service(tmp_path, run_outbox=False) as svc:
        await add_web_staff(svc.app, "rita", role="regisseur")
        async with svc.app.store.unit_of_work() as uow:
            stored = await uow.signals.add(
                make_draft(submitted_at=T0, person_contact="Mevrouw Jansen"),
                reporter_id=None,
                channel="web",
                now=T0,
            )
            await uow.commit()
        async with svc.app.store.engine.begin() as connection:  # a value no key opens
            await connection.execute(
                text("UPDATE signals SET person_contact = 'v1:gone:AAAA' WHERE id = :id"),
                {"id": stored.id},
            )
        async with httpx.AsyncClient(base_url=svc.base_url) as browser:
            assert (await post_login(browser, "rita", PASSWORD, "/loket/")).status_code == 303
            with recording() as log:
                page = await browser.get(f"/loket/signalen/{stored.reference}")
                assert page.status_code == 500
                assert "Er ging bij ons iets mis" in page.text
            errors = log.errors()
            assert len(errors) == 1, [r.getMessage() for r in errors]
            assert errors[0].exc_info is not None
