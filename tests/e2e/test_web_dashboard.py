"""The loket dashboard in a real browser: log in, find a signal, pick it up, record the
contact and close it; what each role sees; the login's defences."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.async_api import Page, expect
from sqlalchemy import select

from bot.app import App
from bot.outbox.kinds import when_stored
from storage.models import AuditEntry, OutboxMessage
from tests.support.builders import make_draft
from tests.support.telegram_harness import T0
from tests.support.web_harness import (
    PASSWORD,
    add_web_staff,
    browser_page,
    login,
    screenshot,
    serious_violations,
    web_service,
)

pytestmark = pytest.mark.e2e


async def seed(app: App, count: int = 3, **changes: object) -> list[str]:
    references = []
    async with app.store.unit_of_work() as uow:
        for number in range(count):
            draft = make_draft(
                submitted_at=T0,
                area="axel",
                postcode=None,
                urgent=number == 0,
                person_contact=f"Mevrouw Jansen {number}",
                codes={
                    "danger": "no",
                    "role": "shop",
                    "age_group": "75_plus",
                    "awareness": "no",
                    "person_reach": "details",
                    "callback": "no",
                    "checkin": "no",
                },
                multi={"observations": ("often_alone",)},
                **changes,
            )
            stored = await uow.signals.add(draft, reporter_id=None, channel="telegram", now=T0)
            await uow.outbox.enqueue_many(when_stored(stored), T0)  # as a report queues it
            references.append(stored.reference)
        await uow.commit()
    return references


async def audit(app: App) -> list[tuple[str, str, str]]:
    async with app.store.unit_of_work() as uow:
        rows = (await uow.session.execute(select(AuditEntry).order_by(AuditEntry.id))).scalars()
        return [(r.actor, r.action, r.outcome) for r in rows]


async def act(page: Page, action: str, option: str | None = None) -> None:
    form = page.locator(f"form:has(button[data-action='{action}'])")
    if option is not None:
        await form.locator("select").select_option(option)
    await form.locator(f"button[data-action='{action}']").click()
    await expect(page.get_by_test_id("flash")).to_be_visible()


async def test_a_loket_worker_picks_up_contacts_and_closes_a_signal(tmp_path: Path) -> None:
    async with web_service(tmp_path) as svc:
        anna = await add_web_staff(svc.app, "anna", role="loket", name="Anna de Vries")
        first, *_ = await seed(svc.app)
        async with browser_page() as page:
            await page.goto(f"{svc.base_url}/loket/")
            assert "/loket/login" in page.url  # not logged in: the login first
            assert await serious_violations(page) == []
            await screenshot(page, "dashboard-login")
            await login(page, svc.base_url, "anna")
            await expect(page.get_by_test_id("signal-list").locator("tbody tr")).to_have_count(3)
            assert await serious_violations(page) == []
            await screenshot(page, "dashboard-list")
            await page.click(f"a[href='/loket/signalen/{first}']")
            # Before picking it up: the card, without the person's details.
            await expect(page.get_by_test_id("card")).to_be_visible()
            assert "Jansen" not in await page.content()
            assert await serious_violations(page) == []
            await screenshot(page, "dashboard-signal-card")
            await act(page, "claim")
            await expect(page.get_by_test_id("status")).to_have_attribute("data-status", "claimed")
            await expect(page.get_by_test_id("section-person")).to_contain_text("Mevrouw Jansen 0")
            await screenshot(page, "dashboard-signal-details")
            await act(page, "contact")
            await expect(page.get_by_test_id("status")).to_have_attribute(
                "data-status", "in_contact"
            )
            await act(page, "close", option="buddy")
            await expect(page.get_by_test_id("status")).to_have_attribute("data-status", "closed")
            assert await serious_violations(page) == []
            history = page.get_by_test_id("history").locator("li")
            await expect(history).to_have_count(4)  # received, claim, contact, close
        async with svc.app.store.unit_of_work() as uow:
            signal = await uow.signals.get_by_reference(first)
            assert signal is not None
            assert (signal.status, signal.outcome, signal.assignee_id) == (
                "closed",
                "buddy",
                anna.id,
            )
            actions = [e.action for e in await uow.signals.events(signal.id)]
            assert actions == ["created", "claim", "contact", "close"]
            cards = await uow.session.execute(
                select(OutboxMessage.kind).where(OutboxMessage.signal_id == signal.id)
            )
            assert sorted(cards.scalars()) == ["loket_card", *["loket_card_update"] * 3]
        entries = await audit(svc.app)
        actor = f"staff:{anna.id}"
        assert (actor, "login", "ok") in entries
        assert (actor, "view", "web_card") in entries  # before picking up
        assert (actor, "view", "web_details") in entries  # after
        assert [e for e in entries if e[1] in {"claim", "contact", "close"}] == [
            (actor, "claim", "ok"),
            (actor, "contact", "ok"),
            (actor, "close", "ok"),
        ]


async def test_a_wrong_password_locks_the_name_after_five_attempts(tmp_path: Path) -> None:
    async with web_service(tmp_path) as svc:
        await add_web_staff(svc.app, "bram", role="regisseur")
        async with browser_page() as page:
            for _ in range(5):
                await page.goto(f"{svc.base_url}/loket/login")
                await page.fill("#username", "bram")
                await page.fill("#password", "wrong password here")
                await page.click("button[type=submit]")
                await expect(page.get_by_test_id("login-error")).to_be_visible()
            assert await page.input_value("#username") == "bram"  # kept for the next try
            # Locked: even the right password is refused now, and says why.
            await page.fill("#password", PASSWORD)
            await page.click("button[type=submit]")
            await expect(page.get_by_test_id("login-error")).to_contain_text("60")
            assert "/loket/login" in page.url
            svc.clock.advance(minutes=61)
            await login(page, svc.base_url, "bram")
        outcomes = [o for _, action, o in await audit(svc.app) if action == "login"]
        assert outcomes == ["refused:credentials"] * 5 + ["refused:locked", "ok"]


async def test_a_form_without_the_session_token_is_refused(tmp_path: Path) -> None:
    async with web_service(tmp_path) as svc:
        await add_web_staff(svc.app, "anna")
        [reference] = await seed(svc.app, 1)
        async with browser_page() as page:
            await login(page, svc.base_url, "anna")
            response = await page.request.post(
                f"{svc.base_url}/loket/signalen/{reference}/actie",
                form={"action": "claim", "csrf": "forged"},
            )
            assert response.status == 403
        async with svc.app.store.unit_of_work() as uow:
            signal = await uow.signals.get_by_reference(reference)
        assert signal is not None
        assert signal.status == "new"


async def test_the_session_ends_after_an_idle_hour(tmp_path: Path) -> None:
    async with web_service(tmp_path) as svc:
        await add_web_staff(svc.app, "anna")
        async with browser_page() as page:
            await login(page, svc.base_url, "anna")
            svc.clock.advance(minutes=61)
            await page.goto(f"{svc.base_url}/loket/")
            assert "/loket/login" in page.url


async def test_a_regisseur_sees_the_details_and_the_access_history(tmp_path: Path) -> None:
    async with web_service(tmp_path) as svc:
        anna = await add_web_staff(svc.app, "anna", role="loket")
        await add_web_staff(svc.app, "bram", role="regisseur")
        [reference] = await seed(svc.app, 1)
        async with browser_page() as page:
            await login(page, svc.base_url, "anna")
            await page.goto(f"{svc.base_url}/loket/signalen/{reference}")
            await expect(page.get_by_test_id("card")).to_be_visible()
            assert await page.get_by_test_id("access").count() == 0  # not for loket staff
            assert await page.locator("a[href='/loket/monitoring']").count() == 0
        async with browser_page() as page:
            await login(page, svc.base_url, "bram")
            await page.goto(f"{svc.base_url}/loket/signalen/{reference}")
            await expect(page.get_by_test_id("section-person")).to_contain_text("Mevrouw Jansen 0")
            access = page.get_by_test_id("access")
            # Anna looked at it: said with her name, in Dutch (issue 22).
            await expect(access).to_contain_text(f"{anna.display_name} bekeek de samenvatting")
            assert await page.locator("a[href='/loket/monitoring']").count() == 1
            assert await serious_violations(page) == []


async def test_the_filters_narrow_the_list(tmp_path: Path) -> None:
    async with web_service(tmp_path, web_session_idle_minutes=240) as svc:
        await add_web_staff(svc.app, "anna")
        urgent, *others = await seed(svc.app, 3)
        async with browser_page() as page:
            await login(page, svc.base_url, "anna")
            await page.select_option("#f-urgent", "yes")
            await page.get_by_test_id("filters").locator("button[type=submit]").click()
            rows = page.get_by_test_id("signal-list").locator("tbody tr")
            await expect(rows).to_have_count(1)
            await expect(rows.first).to_have_attribute("data-reference", urgent)
            assert "urgent=yes" in page.url  # a filtered list can be bookmarked
            # Overdue: an urgent signal must be picked up within two hours.
            svc.clock.advance(hours=3)
            await page.goto(f"{svc.base_url}/loket/?overdue=1")
            await expect(rows).to_have_count(1)
            await expect(rows.first.locator(".badge.overdue")).to_have_count(1)
            await page.goto(f"{svc.base_url}/loket/?status=closed")
            await expect(page.get_by_test_id("signal-count")).to_contain_text("0")
            assert await page.get_by_test_id("signal-list").count() == 0
            await page.goto(f"{svc.base_url}/loket/?status=nonsense&page=-3&area=../x")
            await expect(rows).to_have_count(3)  # unknown values are ignored, not errors
        assert others


async def test_an_unknown_signal_and_an_unknown_page_are_friendly(tmp_path: Path) -> None:
    async with web_service(tmp_path) as svc:
        await add_web_staff(svc.app, "anna")
        async with browser_page() as page:
            await login(page, svc.base_url, "anna")
            response = await page.goto(f"{svc.base_url}/loket/signalen/SP-1999-9999")
            assert response is not None
            assert response.status == 404
            await expect(page.get_by_test_id("error-message")).to_be_visible()
            response = await page.goto(f"{svc.base_url}/loket/nothing-here")
            assert response is not None
            assert response.status == 404
            await expect(page.get_by_test_id("error-message")).to_be_visible()
            assert "Traceback" not in await page.content()
