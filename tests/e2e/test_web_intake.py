"""The telephone intake in a real browser: a loket worker types in what a caller says,
fixes a mistake without losing the other answers, and the signal is stored like a chat
report (channel phone, the worker in its history, the loket card queued)."""

from __future__ import annotations

import contextlib
import re
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from playwright.async_api import Page, expect
from sqlalchemy import func, select

from bot.app import App
from core.dialog import intake
from core.dialog.flows import REPORT_OTHER
from storage.models import OutboxMessage, Signal
from tests.support.telegram_harness import T0
from tests.support.web_harness import (
    PASSWORD,
    add_web_staff,
    browser_page,
    login,
    post_login,
    screenshot,
    serious_violations,
    web_service,
)

pytestmark = pytest.mark.e2e


async def add_partner(app: App) -> None:
    async with app.store.unit_of_work() as uow:
        await uow.partners.add("jumbo-terneuzen", "Jumbo Terneuzen", T0)
        await uow.commit()


async def signal_count(app: App) -> int:
    async with app.store.unit_of_work() as uow:
        return int(
            (await uow.session.execute(select(func.count()).select_from(Signal))).scalar_one()
        )


def pick(name: str, value: str) -> str:
    return f"input[name='{name}'][value='{value}']"


async def expect_hidden(page: Page, question: str, *, hidden: bool = True) -> None:
    # The page's script hides questions once it has run: expect() waits for it, up to its timeout.
    await expect(page.get_by_test_id(f"question-{question}")).to_have_js_property("hidden", hidden)


async def test_a_telephone_report_is_entered_corrected_and_stored(tmp_path: Path) -> None:
    async with web_service(tmp_path, run_outbox=False) as svc:
        anna = await add_web_staff(svc.app, "anna", role="loket", name="Anna de Vries")
        await add_partner(svc.app)
        async with browser_page() as page:
            await login(page, svc.base_url, "anna")
            await page.goto(f"{svc.base_url}/loket/telefoon")
            assert await serious_violations(page) == []
            await screenshot(page, "intake-choose")
            await page.get_by_test_id("intake-other").click()
            await expect(page.get_by_test_id("intake-form")).to_be_visible()
            # With the script, questions that do not apply yet are hidden.
            for question in ("person_reach", "person_contact", "reporter_name", "reporter_phone"):
                await expect_hidden(page, question)
            await expect_hidden(page, "note", hidden=False)
            assert await page.locator("input[name='checkin']").count() == 0  # chat only
            assert await serious_violations(page) == []

            await page.check(pick("danger", "no"))
            await page.check(pick("role", "shop"))
            await page.check(pick("age_group", "75_plus"))
            await page.check(pick("observations", "often_alone"))
            await page.check(pick("observations", "not_seen"))
            await page.fill("#q-place_postcode", "4531 ab")
            await page.check(pick("contact_language", "nl"))
            await page.check(pick("callback", "no"))  # no call back: the person's details
            await expect_hidden(page, "person_reach", hidden=False)
            await page.check(pick("person_reach", "details"))
            await expect_hidden(page, "person_contact", hidden=False)
            await page.fill("#q-person_contact", "Mevrouw Jansen, Markt 1")
            await page.check(pick("callback", "yes"))  # after all: the reporter is called
            await expect_hidden(page, "person_reach")
            await page.fill("#q-note", "Komt elke dag langs, nu al een week niet.")
            await expect_hidden(page, "reporter_phone", hidden=False)
            await page.fill("#q-reporter_name", "Sanne Bakker")
            await page.fill("#q-reporter_phone", "06-1234567a")  # a typo
            await page.select_option("#q-partner", "jumbo-terneuzen")
            await screenshot(page, "intake-form")
            await page.click("#q-submit")

            summary = page.get_by_test_id("error-summary")
            await expect(summary).to_be_visible()
            await expect(summary.locator("li")).to_have_count(1)
            assert await page.evaluate("document.activeElement.id") == "error-summary"
            phone = page.locator("#q-reporter_phone")
            await expect(phone).to_have_attribute("aria-invalid", "true")
            described = await phone.get_attribute("aria-describedby") or ""
            error_text = await page.locator("#q-reporter_phone-error").inner_text()
            assert "q-reporter_phone-error" in described.split()
            hint = svc.app.catalogs["nl"].gettext(REPORT_OTHER.step("reporter_phone").hint)
            assert hint.split("%(example)s")[0].strip() in error_text
            # Everything else is still there.
            await expect(phone).to_have_value("06-1234567a")
            for name, value in (
                ("danger", "no"),
                ("role", "shop"),
                ("observations", "often_alone"),
                ("observations", "not_seen"),
                ("contact_language", "nl"),
                ("callback", "yes"),
            ):
                await expect(page.locator(pick(name, value))).to_be_checked()
            await expect(page.locator(pick("observations", "says_lonely"))).not_to_be_checked()
            await expect(page.locator("#q-place_postcode")).to_have_value("4531 ab")
            await expect(page.locator("#q-reporter_name")).to_have_value("Sanne Bakker")
            await expect(page.locator("#q-partner")).to_have_value("jumbo-terneuzen")
            await expect_hidden(page, "reporter_phone", hidden=False)
            assert await serious_violations(page) == []
            await screenshot(page, "intake-error")
            assert await signal_count(svc.app) == 0

            await summary.locator("a").click()  # the link leads to the field
            assert await page.evaluate("document.activeElement.id") == "q-reporter_phone"
            await phone.fill("06 12345678")
            await page.click("#q-submit")
            await page.wait_for_url(re.compile(r".*/loket/signalen/SP-2026-0001$"))
            await expect(page.get_by_test_id("flash")).to_contain_text("SP-2026-0001")
            await screenshot(page, "intake-saved")

        async with svc.app.store.unit_of_work() as uow:
            signal = await uow.signals.get_by_reference("SP-2026-0001")
            assert signal is not None
            events = await uow.signals.events(signal.id)
            audit = await uow.audit.entries(signal.id)
            cards = (
                await uow.session.execute(
                    select(OutboxMessage.kind, OutboxMessage.status).where(
                        OutboxMessage.signal_id == signal.id
                    )
                )
            ).all()
        assert signal.channel == "phone"
        assert signal.reporter_id is None
        draft = signal.draft
        assert draft.kind == "other"
        assert draft.urgent  # "not seen for days"
        assert draft.codes == {
            "danger": "no",
            "role": "shop",
            "age_group": "75_plus",
            "contact_language": "nl",
            "callback": "yes",
        }
        assert draft.multi == {"observations": ("often_alone", "not_seen")}
        assert draft.postcode == "4531 AB"
        assert draft.person_contact is None  # asked only without a call back
        assert draft.note == "Komt elke dag langs, nu al een week niet."
        assert (draft.reporter_name, draft.reporter_phone) == ("Sanne Bakker", "+31612345678")
        assert draft.partner == "jumbo-terneuzen"
        assert events[0].actor == f"staff:{anna.id}"
        assert events[0].action == "created"
        assert (f"staff:{anna.id}", "intake", "ok") in audit
        # Picked up by who typed it in (the box is ticked by default): the card shows it.
        assert [tuple(c) for c in cards] == [
            ("loket_card", "pending"),
            ("loket_card_update", "pending"),
        ]
        assert svc.app.outbox_wake.is_set()  # the worker is told at once


async def test_without_javascript_every_question_shows_when_it_applies(tmp_path: Path) -> None:
    async with web_service(tmp_path, run_outbox=False) as svc:
        await add_web_staff(svc.app, "bea", role="regisseur")
        async with browser_page(java_script_enabled=False) as page:
            await login(page, svc.base_url, "bea")
            await page.goto(f"{svc.base_url}/loket/telefoon/self")
            for question in ("self_name", "self_phone"):
                await expect_hidden(page, question, hidden=False)
                note = page.get_by_test_id(f"question-{question}").locator(".condition")
                await expect(note).to_be_visible()
            assert await page.locator("input[name='reach']").count() == 1  # not "message here"
            await page.check(pick("danger", "no"))
            await page.check(pick("help_wanted", "unknown"))
            await page.check(pick("help_wanted", "practical"))  # cannot go together
            await page.select_option("#q-place", "area:axel")
            await page.check(pick("reach", "phone"))
            await page.fill("#q-self_name", "Ahmet")
            await page.fill("#q-self_phone", "0612345678")
            await page.check(pick("contact_language", "tr"))
            await page.click("#q-submit")
            await expect(page.get_by_test_id("error-help_wanted")).to_be_visible()
            await expect(page.get_by_test_id("error-summary").locator("li")).to_have_count(1)
            await expect(page.locator("#q-place")).to_have_value("area:axel")
            # (axe-core needs JavaScript: the same page is checked with it above)
            await page.uncheck(pick("help_wanted", "unknown"))
            await page.click("#q-submit")
            await page.wait_for_url(re.compile(r".*/loket/signalen/SP-2026-0001$"))
        async with svc.app.store.unit_of_work() as uow:
            signal = await uow.signals.get_by_reference("SP-2026-0001")
        assert signal is not None
        assert signal.draft.kind == "self"
        assert signal.draft.multi == {"help_wanted": ("practical",)}
        assert signal.draft.area == "axel"
        assert signal.draft.codes["reach"] == "phone"


FORM_ID = re.compile(r'name="form_id" value="([^"]+)"')
CSRF = re.compile(r'name="csrf" value="([^"]+)"')

OTHER = {
    "danger": "no",
    "role": "neighbour",
    "age_group": "unknown",
    "observations": "says_lonely",
    "place": "unknown",
    "contact_language": "unknown",
    "callback": "no",
    "person_reach": "via_me",
}


@contextlib.asynccontextmanager
async def logged_in(base_url: str, username: str) -> AsyncIterator[httpx.AsyncClient]:
    """A plain HTTP client with a dashboard session (the login form, real HTTP)."""
    async with httpx.AsyncClient(base_url=base_url) as client:
        response = await post_login(client, username, PASSWORD, "/loket/")
        assert response.status_code == 303
        yield client


async def test_the_same_form_sent_twice_stores_one_signal(tmp_path: Path) -> None:
    async with web_service(tmp_path, run_outbox=False) as svc:
        await add_web_staff(svc.app, "anna")
        async with logged_in(svc.base_url, "anna") as client:
            page = (await client.get("/loket/telefoon/other")).text
            found_id, found_csrf = FORM_ID.search(page), CSRF.search(page)
            assert found_id is not None
            assert found_csrf is not None
            form = {**OTHER, "csrf": found_csrf.group(1), "form_id": found_id.group(1)}
            first = await client.post("/loket/telefoon/other", data=form)
            again = await client.post("/loket/telefoon/other", data=form)
            assert (first.status_code, first.headers["location"]) == (
                303,
                "/loket/signalen/SP-2026-0001",
            )
            assert (again.status_code, again.headers["location"]) == (303, "/loket/")
            assert await signal_count(svc.app) == 1

            # A fresh form is a new report.
            page = (await client.get("/loket/telefoon/other")).text
            found_id = FORM_ID.search(page)
            assert found_id is not None
            second = await client.post(
                "/loket/telefoon/other", data={**form, "form_id": found_id.group(1)}
            )
            assert second.headers["location"] == "/loket/signalen/SP-2026-0002"


async def test_forged_or_foreign_forms_store_nothing(tmp_path: Path) -> None:
    async with web_service(tmp_path, run_outbox=False) as svc:
        await add_web_staff(svc.app, "anna")
        async with logged_in(svc.base_url, "anna") as client:
            page = (await client.get("/loket/telefoon/self")).text
            found_id, found_csrf = FORM_ID.search(page), CSRF.search(page)
            assert found_id is not None
            assert found_csrf is not None
            csrf, form_id = found_csrf.group(1), found_id.group(1)
            self_form = {
                "danger": "no",
                "help_wanted": "grief",
                "place": "unknown",
                "reach": "here",  # a chat-only answer: refused, the form comes back
                "contact_language": "nl",
                "csrf": csrf,
                "form_id": form_id,
            }
            refused = await client.post("/loket/telefoon/self", data=self_form)
            assert refused.status_code == 400
            assert 'data-testid="error-reach"' in refused.text
            assert 'value="grief" checked' in refused.text  # kept
            no_csrf = await client.post("/loket/telefoon/other", data={**OTHER, "form_id": form_id})
            assert no_csrf.status_code == 403
            no_id = await client.post("/loket/telefoon/other", data={**OTHER, "csrf": csrf})
            assert no_id.status_code == 400
            assert FORM_ID.search(no_id.text) is not None  # a fresh id to send again with
            unknown_kind = await client.get("/loket/telefoon/nobody")
            assert unknown_kind.headers["location"] == "/loket/telefoon"
            huge = await client.post(
                "/loket/telefoon/other",
                data={**OTHER, "csrf": csrf, "form_id": form_id, "note": "x" * 100_000},
            )
            assert huge.status_code == 400
            over = 100_000 - REPORT_OTHER.step("note").max_length
            too_long = svc.app.catalogs["nl"].ngettext(
                intake.TOO_LONG, intake.TOO_LONG_PLURAL, over
            )
            assert too_long % {"count": over} in huge.text
        assert await signal_count(svc.app) == 0
        async with httpx.AsyncClient(base_url=svc.base_url) as stranger:
            response = await stranger.post("/loket/telefoon/other", data=OTHER)
            assert response.status_code == 303
            assert response.headers["location"].startswith("/loket/login")
        assert await signal_count(svc.app) == 0
