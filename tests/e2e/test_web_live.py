"""The live dashboard in chromium: two staff members watching the same list see a web chat
report arrive and a claim change its row without a reload; the title counts what is new;
browser notifications on a click; a signal's open page is told it changed; without
JavaScript everything still works; the stream is behind the login, bounded, and ends when
the service stops."""

from __future__ import annotations

import asyncio
import re
from pathlib import Path

import httpx
import pytest
from playwright.async_api import BrowserContext, Page, expect

from bot.dashboard.live_feed import PER_STAFF
from bot.outbox.kinds import when_stored
from storage.records import StoredSignal
from tests.e2e import test_web_chat as chat
from tests.support.builders import make_draft
from tests.support.reports import REPORT
from tests.support.telegram_harness import T0
from tests.support.web_harness import (
    WebService,
    add_web_staff,
    browser,
    login,
    post_login,
    screenshot,
    serious_violations,
    web_service,
)

pytestmark = pytest.mark.e2e

# The browser's Notification, wrapped to record what the page shows (the browser boundary:
# a headless chromium shows nothing); requestPermission calls are counted.
RECORD_NOTIFICATIONS = """
(() => {
  const Real = window.Notification;
  window.__shown = [];
  window.__asked = 0;
  class Recorded extends Real {
    constructor(title, options) {
      super(title, options);
      window.__shown.push({title: title, body: (options && options.body) || ""});
    }
  }
  Recorded.requestPermission = function () {
    window.__asked += 1;
    return Real.requestPermission.apply(Real, arguments);
  };
  window.Notification = Recorded;
})();
"""


async def seed(svc: WebService, *, urgent: bool = False) -> StoredSignal:
    """A signal stored through another door than the page's (as the telephone intake or
    the Telegram bot would)."""
    async with svc.app.store.unit_of_work() as uow:
        stored = await uow.signals.add(
            make_draft(submitted_at=T0, urgent=urgent, area="axel", postcode=None),
            reporter_id=None,
            channel="telegram",
            now=T0,
        )
        await uow.outbox.enqueue_many(when_stored(stored), T0)
        await uow.commit()
    return stored


async def mark_unreloaded(page: Page) -> None:
    """A mark that a reload would wipe out."""
    await page.evaluate("window.__notReloaded = true")


async def still_unreloaded(page: Page) -> bool:
    return bool(await page.evaluate("window.__notReloaded === true"))


async def watching(context: BrowserContext, svc: WebService, username: str) -> Page:
    page = await context.new_page()
    await login(page, svc.base_url, username)
    await page.goto(f"{svc.base_url}/loket/")
    await mark_unreloaded(page)
    return page


async def test_two_staff_members_see_a_web_report_arrive_and_a_claim_change_it(
    tmp_path: Path,
) -> None:
    async with web_service(tmp_path) as svc, browser() as chromium:
        await add_web_staff(svc.app, "anna", name="Anna de Vries")
        await add_web_staff(svc.app, "bert", name="Bert Bakker")
        anna_context = await chromium.new_context(locale="nl-NL")
        bert_context = await chromium.new_context(locale="nl-NL")
        resident = await chromium.new_context(locale="nl-NL")
        anna = await watching(anna_context, svc, "anna")
        bert = await watching(bert_context, svc, "bert")
        title = await anna.title()
        assert title.startswith("Signalen")
        await expect(anna.get_by_test_id("signal-count")).to_have_text("0 signalen")

        chat_page = await resident.new_page()
        await chat_page.goto(f"{svc.base_url}/chat")
        reference = await chat.report(chat_page, REPORT)

        for page in (anna, bert):
            row = page.locator(f"tr[data-reference='{reference}']")
            await expect(row).to_be_visible()
            await expect(row).to_have_class(re.compile("live-new"))
            await expect(row.locator(".badge.new")).to_have_text("Net binnen")
            await expect(page.get_by_test_id("live-news")).to_have_text("1 nieuw signaal")
            await expect(page).to_have_title(f"(1) {title}")
            await expect(page.get_by_test_id("signal-count")).to_have_text("1 signaal")
            assert await still_unreloaded(page)
        assert await serious_violations(bert) == []

        # Looked at: the count in the title goes; the row stays marked as new.
        await bert.keyboard.press("Tab")
        await expect(bert).to_have_title(title)
        await expect(bert.locator(f"tr[data-reference='{reference}']")).to_have_class(
            re.compile("live-new")
        )

        # Bert has the signal open as well; Anna picks it up on hers.
        bert_signal = await bert_context.new_page()
        await bert_signal.goto(f"{svc.base_url}/loket/signalen/{reference}")
        await mark_unreloaded(bert_signal)
        await expect(bert_signal.get_by_test_id("live-notice")).to_be_hidden()
        await anna.click(f"a[href='/loket/signalen/{reference}']")
        form = anna.locator("form:has(button[data-action='claim'])")
        await form.locator("button[data-action='claim']").click()
        await expect(anna.get_by_test_id("flash")).to_be_visible()

        who = bert.locator(f"tr[data-reference='{reference}'] td").last
        await expect(who).to_have_text("Anna de Vries")
        assert await still_unreloaded(bert)
        await expect(bert).to_have_title(title)  # a change is not new: the count stays
        notice = bert_signal.get_by_test_id("live-notice")
        await expect(notice).to_be_visible()
        await expect(bert_signal.get_by_test_id("live-news")).to_contain_text("gewijzigd")
        await screenshot(bert_signal, "live-signal-changed")
        assert await still_unreloaded(bert_signal)
        assert await serious_violations(bert_signal) == []
        await notice.get_by_role("link").click()
        await expect(bert_signal.get_by_test_id("who-has-it")).to_contain_text("Anna de Vries")
        await expect(notice).to_be_hidden()
        for context in (anna_context, bert_context, resident):
            await context.close()


async def test_the_title_counts_and_notifications_are_asked_for_on_a_click(
    tmp_path: Path,
) -> None:
    async with web_service(tmp_path) as svc, browser() as chromium:
        await add_web_staff(svc.app, "anna", name="Anna de Vries")
        old = await seed(svc)
        for width, height in ((1366, 900), (390, 844)):
            context = await chromium.new_context(
                locale="nl-NL", viewport={"width": width, "height": height}
            )
            await context.grant_permissions(["notifications"], origin=svc.base_url)
            await context.add_init_script(RECORD_NOTIFICATIONS)
            page = await watching(context, svc, "anna")
            title = await page.title()
            toggle = page.get_by_test_id("notify")
            await expect(toggle).to_be_visible()
            await expect(toggle).to_have_attribute("aria-pressed", "false")
            assert await page.evaluate("window.__asked") == 0  # not asked before the click
            await toggle.click()
            await expect(toggle).to_have_attribute("aria-pressed", "true")
            assert await page.evaluate("window.__asked") <= 1

            urgent = await seed(svc, urgent=True)
            plain = await seed(svc)
            for stored in (urgent, plain):
                row = page.locator(f"tr[data-reference='{stored.reference}']")
                await expect(row).to_have_class(re.compile("live-new"))
            await expect(page).to_have_title(f"(2) {title}")
            await expect(page.get_by_test_id("live-news")).to_have_text(
                re.compile("^[12] nieuwe? signa(al|len)$")
            )
            shown = await page.evaluate("window.__shown")
            # The reference and the urgency, nothing of the signal's content.
            assert sorted(shown, key=lambda s: s["title"]) == [
                {"title": f"Nieuw signaal {urgent.reference}", "body": "Spoed"},
                {"title": f"Nieuw signaal {plain.reference}", "body": ""},
            ]
            assert old.reference not in str(shown)
            assert await serious_violations(page) == []
            await screenshot(page, f"live-list-{width}")

            # The choice is kept in this browser, and can be turned off again.
            await page.reload()
            toggle = page.get_by_test_id("notify")
            await expect(toggle).to_have_attribute("aria-pressed", "true")
            await toggle.click()
            await expect(toggle).to_have_attribute("aria-pressed", "false")
            await seed(svc)
            await expect(page.locator("tr.live-new")).to_have_count(1)
            assert await page.evaluate("window.__shown") == []
            await context.close()


async def test_without_javascript_the_list_and_the_signal_still_work(tmp_path: Path) -> None:
    async with web_service(tmp_path) as svc, browser() as chromium:
        await add_web_staff(svc.app, "anna", name="Anna de Vries")
        stored = await seed(svc, urgent=True)
        context = await chromium.new_context(locale="nl-NL", java_script_enabled=False)
        page = await context.new_page()
        await login(page, svc.base_url, "anna")
        await page.goto(f"{svc.base_url}/loket/?urgent=yes")
        await expect(page.locator(f"tr[data-reference='{stored.reference}']")).to_be_visible()
        await expect(page.get_by_test_id("notify")).to_be_hidden()
        later = await seed(svc)
        await page.goto(f"{svc.base_url}/loket/?urgent=no")  # the filter, without a script
        await expect(page.locator(f"tr[data-reference='{later.reference}']")).to_be_visible()
        await expect(page.locator(f"tr[data-reference='{stored.reference}']")).to_have_count(0)
        await page.click(f"a[href='/loket/signalen/{later.reference}']")
        await expect(page.get_by_test_id("live-notice")).to_be_hidden()
        await page.locator("button[data-action='claim']").click()
        await expect(page.get_by_test_id("who-has-it")).to_contain_text("Jij hebt dit signaal")
        await context.close()


async def read_event(lines: httpx.Response) -> dict[str, str]:
    """The next event of a stream (comments skipped)."""
    event: dict[str, str] = {}
    async for line in lines.aiter_lines():
        if not line:
            if "data" in event:
                return event
            event = {}
            continue
        if line.startswith(":"):
            continue
        name, _, value = line.partition(": ")
        event[name] = value
    raise AssertionError("the stream ended")


async def test_the_stream_is_behind_the_login_bounded_and_ends_when_the_service_stops(
    tmp_path: Path,
) -> None:
    async with web_service(tmp_path) as svc:
        await add_web_staff(svc.app, "anna")
        await add_web_staff(svc.app, "bert")
        async with httpx.AsyncClient(base_url=svc.base_url) as stranger:
            refused = await stranger.get("/loket/live")
            assert refused.status_code == 303
            assert refused.headers["location"].startswith("/loket/login")
            stranger.cookies.set("signaalpunt_loket", "x" * 43)
            forged = await stranger.get("/loket/live")
            assert forged.status_code == 303
        anna = httpx.AsyncClient(base_url=svc.base_url, timeout=10)
        bert = httpx.AsyncClient(base_url=svc.base_url, timeout=10)
        await post_login(anna, "anna")
        await post_login(bert, "bert")
        streams = [anna.stream("GET", "/loket/live") for _ in range(PER_STAFF)]
        opened = [await s.__aenter__() for s in streams]
        assert {o.status_code for o in opened} == {200}
        assert opened[0].headers["content-type"].startswith("text/event-stream")
        assert opened[0].headers["x-accel-buffering"] == "no"
        one_too_many = await anna.get("/loket/live")
        assert one_too_many.status_code == 429
        async with bert.stream("GET", "/loket/live") as berts:  # another's limit is his own
            assert berts.status_code == 200
            stored = await seed(svc)
            event = await read_event(berts)
            assert event["event"] == "signals"
            assert event["data"] == (
                f'{{"changed": ["{stored.reference}"], "created": ["{stored.reference}"]}}'
            )
            # Nothing but references: no names, places or notes of the signal.
            assert "Jansen" not in event["data"]
            assert "axel" not in event["data"]
            # A browser reconnecting with the last event id is sent what came after it.
            later = await seed(svc)
            async with bert.stream(
                "GET", "/loket/live", headers={"Last-Event-ID": event["id"]}
            ) as again:
                assert (await read_event(again))["data"].count(later.reference) == 2
        ending = [asyncio.create_task(o.aread()) for o in opened]
    # Leaving the service's block stopped it: every open stream ended, none held it up.
    await asyncio.wait_for(asyncio.gather(*ending), 5)
    for stream in streams:
        await stream.__aexit__(None, None, None)
    await anna.aclose()
    await bert.aclose()


async def test_live_refreshes_and_an_open_stream_do_not_keep_a_session_open(
    tmp_path: Path,
) -> None:
    async with web_service(tmp_path) as svc:
        await add_web_staff(svc.app, "anna")
        async with httpx.AsyncClient(base_url=svc.base_url, timeout=10) as anna:
            await post_login(anna, "anna")
            async with anna.stream("GET", "/loket/live") as stream:
                assert stream.status_code == 200
                # The list fetched again by live.js every few minutes for an hour: no
                # activity of hers, so the session times out all the same.
                for _ in range(31):
                    svc.clock.advance(minutes=2)
                    refreshed = await anna.get("/loket/", headers={"X-Signaalpunt-Live": "1"})
                    if refreshed.status_code != 200:
                        break
                assert refreshed.status_code == 303
                assert refreshed.headers["location"].startswith("/loket/login")
