"""The monitoring page in a real browser: a regisseur sees the charts with the figures
counted here from the raw rows, changes the period, downloads CSV files whose rows match,
and loket staff are refused; axe finds nothing serious."""

from __future__ import annotations

import asyncio
import csv
import io
import random
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from playwright.async_api import Page, expect
from sqlalchemy import select, text

from bot.app import App
from bot.dashboard.monitoring.views import POSTCODE
from core.dialog.flows import REPORT_OTHER
from core.lifecycle.parties import SYSTEM
from core.monitoring import period as fp
from storage.models import AuditEntry
from tests.support.builders import make_draft
from tests.support.telegram_harness import T0
from tests.support.web_harness import (
    add_web_staff,
    browser_page,
    login,
    screenshot,
    serious_violations,
    web_service,
)

pytestmark = pytest.mark.e2e

AMS = ZoneInfo("Europe/Amsterdam")
ROLES = ("shop", "neighbour", "family")
CHANNELS = ("telegram", "whatsapp", "web", "phone")


async def seed(app: App) -> None:
    """40 signals over the 16 weeks before T0 (Monday 23 November 2026), some claimed and
    contacted, some closed; areas from the configured neighbourhoods and postcodes."""
    rnd = random.Random(9)
    areas = [p.id for p in app.places[:4]]
    async with app.store.unit_of_work() as uow:
        await uow.partners.add("jumbo-terneuzen", "Jumbo Terneuzen", T0 - timedelta(days=200))
        for number in range(40):
            created = T0 - timedelta(hours=rnd.uniform(1, 16 * 7 * 24))
            own = number % 5 == 0
            codes = {"role": rnd.choice(ROLES), "age_group": "75_plus"}
            area = rnd.choice(areas) if number % 3 else None
            draft = make_draft(
                kind="self" if own else "other",
                urgent=number % 7 == 0,
                submitted_at=created,
                codes={"danger": "no"} if own else codes,
                multi={"help_wanted": ("grief",)} if own else {"observations": ("often_alone",)},
                area=area,
                postcode=None if area else "4536AB",
                partner="jumbo-terneuzen" if number % 4 == 0 else None,
            )
            stored = await uow.signals.add(
                draft, reporter_id=None, channel=CHANNELS[number % 4], now=created
            )
            if number % 6:
                claimed = created + timedelta(hours=rnd.uniform(0.5, 40))
                await uow.signals.add_event(stored.id, at=claimed, actor=SYSTEM, action="claim")
                if number % 2:
                    contact = claimed + timedelta(hours=rnd.uniform(1, 60))
                    await uow.signals.add_event(
                        stored.id, at=contact, actor=SYSTEM, action="contact"
                    )
        await uow.commit()


async def raw(app: App) -> list[dict[str, Any]]:
    async with app.store.engine.connect() as connection:
        rows = await connection.execute(
            text(
                "SELECT kind, role, area, postcode4, channel, created_at, "
                "(SELECT count(*) FROM signal_events e WHERE e.signal_id = signals.id "
                "AND e.action = 'claim') AS claims, "
                "(SELECT count(*) FROM signal_events e WHERE e.signal_id = signals.id "
                "AND e.action = 'contact') AS contacts FROM signals"
            )
        )
        found = []
        for row in rows.mappings():
            item = dict(row)
            item["created"] = datetime.fromisoformat(str(row["created_at"])).replace(tzinfo=UTC)
            found.append(item)
    return found


def in_days(signals: list[dict[str, Any]], first: Any, last: Any) -> list[dict[str, Any]]:
    return [s for s in signals if first <= s["created"].astimezone(AMS).date() <= last]


def week_of(signal: dict[str, Any]) -> str:
    year, week, _ = signal["created"].astimezone(AMS).isocalendar()
    return f"{year}-W{week:02d}"


def area_of(signal: dict[str, Any]) -> str:
    return str(signal["area"]) if signal["area"] else f"postcode:{signal['postcode4']}"


async def chart_values(page: Page, figure: str) -> dict[str, int]:
    """code -> the number written after each bar of a bar chart."""
    found = {}
    for value in await page.locator(f"#chart-{figure} text.value").all():
        code = await value.get_attribute("data-code")
        assert code is not None
        found[code] = int(await value.text_content() or "")
    return found


def as_in_a_file(value: str, count: int) -> bool:
    """A count as a file that leaves the building shows it: itself from 5 up (and 0),
    "< 5" from 1 to 4, or "×" when it is hidden so a small one cannot be worked out."""
    if 0 < count < 5:
        return value == "< 5"
    return value in (str(count), "×")


async def download(page: Page, section: str, figure: str = "") -> list[list[str]]:
    figure = figure or section
    async with page.expect_download() as info:
        await page.get_by_test_id(f"csv-{section}").click()
    got = await info.value
    body = await asyncio.to_thread(Path(await got.path()).read_bytes)
    assert body.startswith(b"\xef\xbb\xbf")  # the BOM, for Excel
    assert got.suggested_filename.startswith(f"signaalpunt-{figure}-")
    return list(csv.reader(io.StringIO(body.decode("utf-8-sig")), delimiter=";"))


async def test_a_regisseur_reads_the_figures_and_downloads_them(tmp_path: Path) -> None:
    async with web_service(tmp_path, run_outbox=False) as svc:
        await add_web_staff(svc.app, "rita", role="regisseur")
        await seed(svc.app)
        signals = await raw(svc.app)
        nl = svc.app.catalogs["nl"]
        default = fp.preset_period("12w", T0.astimezone(AMS).date())
        shown = in_days(signals, default.first, default.last)
        assert 20 < len(shown) < 40  # some signals are older than 12 weeks
        async with browser_page(accept_downloads=True) as page:
            await login(page, svc.base_url, "rita")
            response = await page.goto(f"{svc.base_url}/loket/monitoring")
            assert response is not None
            assert response.status == 200
            await expect(page.get_by_test_id("total")).to_have_text(str(len(shown)))

            # One SVG chart per figure, each followed by its table.
            assert await page.locator("svg.chart[role=img]").count() == 10
            assert await page.locator("details table").count() == 10

            # Per week by reporter: 12 columns, each total as counted here.
            weeks = [w.key for w in default.weeks()]
            per_week = Counter(week_of(s) for s in shown)
            totals = page.locator("#chart-role text.value")
            assert await totals.count() == 12
            written = [int(t) for t in await totals.all_text_contents()]
            assert written == [per_week[w] for w in weeks]
            segments = page.locator("#chart-role rect.segment")
            roles = {(week_of(s), s["kind"] == "self" or s["role"]) for s in shown}
            assert await segments.count() == len(roles)  # one part per week and role present

            # Per neighbourhood: a bar for each place with signals, the counts written out.
            areas = Counter(area_of(s) for s in shown)
            values = await chart_values(page, "area")
            assert {code: n for code, n in values.items() if n} == areas
            assert await page.locator("#chart-area rect.bar").count() == len(areas)
            place_names = {p.id: p.name for p in svc.app.places}
            table = page.get_by_test_id("table-area")
            await page.locator("#figure-area summary").click()
            for code, count in areas.items():
                digits = code.removeprefix("postcode:")
                label = place_names.get(code) or nl.gettext(POSTCODE) % {"digits": digits}
                row = table.locator("tr", has=page.get_by_role("rowheader", name=label, exact=True))
                await expect(row.locator("td")).to_have_text(str(count))

            # The observations use the flow's labels.
            often = nl.gettext(REPORT_OTHER.step("observations").choices[0].label)
            await page.locator("#figure-observation summary").click()
            await expect(page.get_by_test_id("table-observation")).to_contain_text(often)

            assert await serious_violations(page) == []
            await screenshot(page, "monitoring")

            # CSV: per neighbourhood, code;label;count, as counted here.
            rows = await download(page, "area")
            assert rows[0] == [nl.gettext(h) for h in ("Code", "Category", "Signals")]
            # Files leave the building: counts under 5 hidden (issue 22).
            in_file = {r[0]: r[2] for r in rows[1:] if r[2] != "0"}
            assert set(in_file) == set(areas)
            assert all(as_in_a_file(in_file[code], n) for code, n in areas.items())
            assert "×" not in in_file.values() or sum(v == "< 5" for v in in_file.values()) > 0
            rows = await download(page, "role")
            assert [r[0] for r in rows[1:]] == weeks
            in_weeks = zip(rows[1:], weeks, strict=True)
            assert all(as_in_a_file(r[-1], per_week[w]) for r, w in in_weeks)
            rows = await download(page, "claim", "timing")
            claimed = sum(1 for s in shown if s["claims"])
            contacted = sum(1 for s in shown if s["contacts"])
            measured = [
                (nl.gettext("Time to pick up"), claimed),
                (nl.gettext("Time to first contact"), contacted),
            ]
            assert [r[0] for r in rows[1:]] == [name for name, _ in measured]
            assert all(as_in_a_file(r[1], n) for r, (_, n) in zip(rows[1:], measured, strict=True))
            assert all("," in r[2] or r[2] in ("", "< 5") for r in rows[1:])  # a decimal comma
            csv_link = await page.get_by_test_id("csv-area").get_attribute("href")
            assert csv_link is not None
            fetched = await page.request.get(svc.base_url + csv_link)
            assert fetched.headers["content-type"] == "text/csv; charset=utf-8"
            assert fetched.headers["content-disposition"] == (
                f'attachment; filename="signaalpunt-area-{default.slug}.csv"'
            )

            # Another period: the last 4 weeks.
            await page.get_by_test_id("preset-4w").click()
            await expect(page.get_by_test_id("preset-4w")).to_have_attribute("aria-current", "true")
            four = fp.preset_period("4w", T0.astimezone(AMS).date())
            await expect(page.get_by_test_id("total")).to_have_text(
                str(len(in_days(signals, four.first, four.last)))
            )
            assert await page.locator("#chart-channel text.value").count() == 4

            # Custom dates, through the form.
            await page.fill("#period-from", "2026-08-01")
            await page.fill("#period-to", "2026-10-31")
            await page.get_by_test_id("period-form").locator("button[type=submit]").click()
            custom = in_days(signals, datetime(2026, 8, 1).date(), datetime(2026, 10, 31).date())
            await expect(page.get_by_test_id("total")).to_have_text(str(len(custom)))
            rows = await download(page, "channel")
            custom_weeks = Counter(week_of(s) for s in custom)
            assert all(as_in_a_file(r[-1], custom_weeks[r[0]]) for r in rows[1:])
            assert sum(custom_weeks[r[0]] for r in rows[1:]) == len(custom)

            # A reversed period: said kindly, the dates kept, the default shown.
            await page.fill("#period-from", "2026-10-31")
            await page.fill("#period-to", "2026-10-01")
            await page.get_by_test_id("period-form").locator("button[type=submit]").click()
            await expect(page.get_by_test_id("period-error")).to_contain_text(
                nl.gettext(fp.REVERSED)
            )
            await expect(page.locator("#period-from")).to_have_value("2026-10-31")
            await expect(page.get_by_test_id("total")).to_have_text(str(len(shown)))
            assert await serious_violations(page) == []
            await screenshot(page, "monitoring-bad-period")


async def test_loket_staff_are_refused_and_every_view_is_recorded(tmp_path: Path) -> None:
    async with web_service(tmp_path, run_outbox=False) as svc:
        await add_web_staff(svc.app, "lars", role="loket")
        await add_web_staff(svc.app, "rita", role="regisseur")
        nl = svc.app.catalogs["nl"]
        async with browser_page() as page:
            await login(page, svc.base_url, "lars")
            assert await page.locator("nav a[href='/loket/monitoring']").count() == 0
            for path in ("/loket/monitoring", "/loket/monitoring/area.csv"):
                response = await page.goto(svc.base_url + path)
                assert response is not None
                assert response.status == 403
                await expect(page.get_by_test_id("error-message")).to_have_text(
                    nl.gettext("This page is not available for your role.")
                )
        async with browser_page() as page:
            await login(page, svc.base_url, "rita")
            response = await page.goto(svc.base_url + "/loket/monitoring/nonsense.csv")
            assert response is not None
            assert response.status == 404
            response = await page.goto(svc.base_url + "/loket/monitoring?period=forever")
            assert response is not None
            assert response.status == 400
            await expect(page.get_by_test_id("period-error")).to_contain_text(
                nl.gettext(fp.UNKNOWN_PRESET)
            )
            await expect(page.get_by_test_id("total")).to_have_text("0")
        async with svc.app.store.unit_of_work() as uow:
            rows = await uow.session.execute(
                select(AuditEntry.action, AuditEntry.outcome, AuditEntry.signal_id).where(
                    AuditEntry.action == "figures"
                )
            )
            seen = [tuple(r) for r in rows]
    assert seen == [
        ("figures", "refused:role", None),
        ("figures", "refused:role", None),
        ("figures", "ok", None),
    ]
