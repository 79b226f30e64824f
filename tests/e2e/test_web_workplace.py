"""The dashboard as the loket's workplace (issue 22), in chromium: every page checked with
axe (no serious or critical violation) and photographed at 390 and 1366 pixels wide.

Finding signals (search by reference, postcode and phone number, order, the new columns,
the "answered" mark, the postcode table), one signal (sections, ``tel:`` links, who has
it, an internal note, taking over, "cannot be followed up" with a reason and a
confirmation, a refused question in red with its text kept), the access history as
sentences, and what a worker does in how many clicks.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from playwright.async_api import Page, expect
from sqlalchemy import select

from bot.app import App
from bot.outbox.kinds import when_stored
from core.lifecycle.parties import Reporter, StaffMember
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

IDENTITY: dict[str, Any] = {
    "municipality_name": "Gemeente Terneuzen",
    "municipality_phone": "14 0115",
    "municipality_privacy_url": "https://www.terneuzen.nl/privacy",
    "postcode_areas": "4530-4539=Terneuzen-Centrum, 4571=Axel",
}
WIDTHS = (390, 1366)


async def look(page: Page, name: str) -> None:
    """axe finds nothing serious on the page, at a phone's width and a desktop's, the page
    never scrolls sideways, and both are photographed (test-artifacts/screenshots/)."""
    for width in WIDTHS:
        await page.set_viewport_size({"width": width, "height": 900})
        assert await serious_violations(page) == [], (name, width)
        sideways = await page.evaluate(
            "document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
        wide = await page.evaluate(
            "[...document.querySelectorAll('body *')].filter(e => e.getBoundingClientRect()"
            ".right > document.documentElement.clientWidth + 1).slice(0, 5)"
            ".map(e => e.tagName + '.' + e.className + '#' + e.id)"
        )
        assert sideways <= 0, (name, width, sideways, wide)
        await screenshot(page, f"{name}-{width}")


async def seed(app: App) -> list[str]:
    """Four signals as reporters send them: Arabic on WhatsApp (a typed postcode, urgent),
    Dutch on the web (a neighbourhood), Turkish on Telegram, and one without a place."""
    references = []
    async with app.store.unit_of_work() as uow:
        specs = [
            ("ar", "whatsapp", None, "4531 AB", ("often_alone", "not_seen"), "75_plus"),
            ("nl", "web", "axel", None, ("says_lonely",), "65_74"),
            ("tr", "telegram", None, "4571", ("recent_loss",), "75_plus"),
            ("pl", "web", None, None, ("daily_chat",), "unknown"),
        ]
        for number, (language, channel, area, postcode, seen, age) in enumerate(specs):
            reporter = await uow.reporters.get_or_create(
                channel, f"user-{number}", language=language, now=T0
            )
            draft = make_draft(
                submitted_at=T0,
                language=language,
                area=area,
                postcode=postcode,
                urgent="not_seen" in seen,
                person_contact="Mevrouw Jansen, Dorpsstraat 4, 0115 123456",
                reporter_name="Piet de Vries",
                reporter_phone="+31612345678" if number == 0 else None,
                note="Ze komt elke dag, maar praat de laatste tijd weinig.",
                codes={
                    "danger": "no",
                    "role": "shop",
                    "age_group": age,
                    "contact_language": language,
                    "callback": "yes" if number == 0 else "here",
                    "person_reach": "details",
                    "awareness": "no",
                },
                multi={"observations": seen},
            )
            stored = await uow.signals.add(
                draft, reporter_id=reporter.id, channel=channel, now=T0 + timedelta(hours=number)
            )
            await uow.outbox.enqueue_many(when_stored(stored), stored.created_at)  # as a report
            references.append(stored.reference)
        await uow.commit()
    return references


async def test_finding_signals_by_search_order_and_columns(tmp_path: Path) -> None:
    async with web_service(tmp_path, run_outbox=False, **IDENTITY) as svc:
        anna = await add_web_staff(svc.app, "anna", role="loket", name="Anna de Vries")
        arabic, dutch, turkish, _ = await seed(svc.app)
        # The Turkish reporter answered a question after Anna asked it.
        async with svc.app.store.unit_of_work() as uow:
            signal = await uow.signals.get_by_reference(turkish)
            assert signal is not None
            at = T0 + timedelta(hours=5)
            await uow.signals.add_event(signal.id, at=at, actor=StaffMember(anna.id),
                                        action="question", note="Hoe gaat het?")  # fmt: skip
            await uow.signals.add_event(signal.id, at=at + timedelta(hours=1),
                                        actor=Reporter(3), action="reporter_reply",
                                        note="Slecht")  # fmt: skip
            await uow.commit()
        svc.clock.now = T0 + timedelta(days=1)
        async with browser_page() as page:
            await login(page, svc.base_url, "anna")
            table = page.get_by_test_id("signal-list")
            await expect(table.locator("tbody tr")).to_have_count(4)
            first = table.locator(f"tr[data-reference='{arabic}']")
            # The new columns: the reporter's language, age group, what was seen, the
            # deadline, and the typed postcode as its neighbourhood.
            await expect(first).to_contain_text("Arabisch")
            await expect(first).to_contain_text("75 of ouder")
            await expect(first).to_contain_text("Vaak alleen")
            await expect(first).to_contain_text("oppakken uiterlijk")
            await expect(first).to_contain_text("Terneuzen-Centrum")
            await expect(table.locator(f"tr[data-reference='{turkish}']")).to_contain_text("Axel")
            answered = table.locator(f"tr[data-reference='{turkish}'] [data-testid=answered]")
            await expect(answered).to_be_visible()
            await look(page, "workplace-list")

            # A neighbourhood finds the postcodes that lie in it too.
            await page.select_option("#f-area", "axel")
            await page.get_by_test_id("filters").locator("button[type=submit]").click()
            rows = table.locator("tbody tr")
            await expect(rows).to_have_count(2)
            await page.goto(f"{svc.base_url}/loket/")

            for typed, expected in (
                ("06-12 34 56 78", [arabic]),  # the reporter's phone, by its keyed hash
                ("0115 123456", None),  # the person's phone: all four have it
                ("4531 ab", [arabic]),
                ("4571", [turkish]),
                (dutch.lower(), [dutch]),
            ):
                await page.fill("#q", typed)
                await page.get_by_test_id("list-form").locator(".search-row button").click()
                shown = await rows.evaluate_all("rs => rs.map(r => r.dataset.reference)")
                assert shown == (expected or shown), typed
                assert len(shown) == (4 if expected is None else len(expected)), typed
            # Something that is none of these: said in red next to the field, kept.
            await page.fill("#q", "mevrouw jansen")
            await page.get_by_test_id("list-form").locator(".search-row button").click()
            await expect(page.get_by_test_id("error-q")).to_be_visible()
            await expect(page.locator("#q")).to_have_value("mevrouw jansen")
            await expect(page.locator("#q")).to_have_attribute("aria-invalid", "true")
            await look(page, "workplace-list-search-error")

            await page.goto(f"{svc.base_url}/loket/?order=oldest")
            order = await rows.evaluate_all("rs => rs.map(r => r.dataset.reference)")
            assert order[0] == arabic
            await page.goto(f"{svc.base_url}/loket/?order=deadline")
            urgent_first = await rows.evaluate_all("rs => rs.map(r => r.dataset.reference)")
            assert urgent_first[0] == arabic  # urgent: pick up within 2 hours

            # On a phone the filters fold away; the search stays.
            await page.set_viewport_size({"width": 390, "height": 900})
            await page.goto(f"{svc.base_url}/loket/")
            await expect(page.get_by_test_id("filters")).not_to_have_attribute("open", "")
            await expect(page.locator("#q")).to_be_visible()
            await expect(page.locator("#f-status")).to_be_hidden()


async def test_one_signal_in_sections_with_notes_and_taking_over(tmp_path: Path) -> None:
    async with web_service(tmp_path, run_outbox=False, **IDENTITY) as svc:
        await add_web_staff(svc.app, "anna", role="loket", name="Anna de Vries")
        carla = await add_web_staff(svc.app, "carla", role="loket", name="Carla Bakker")
        arabic, *_ = await seed(svc.app)
        async with browser_page() as page:
            await login(page, svc.base_url, "anna")
            await page.goto(f"{svc.base_url}/loket/signalen/{arabic}")
            # Pick up: one click, and the details are there.
            await page.click("button[data-action='claim']")
            await expect(page.get_by_test_id("flash")).to_be_visible()
            await expect(page.get_by_test_id("who-has-it")).to_contain_text("Jij hebt")
            for section in ("person", "seen", "reporter"):
                await expect(page.get_by_test_id(f"section-{section}")).to_be_visible()
            person = page.get_by_test_id("section-person")
            await expect(person).to_contain_text("4531 AB")  # the postcode, and its kern
            await expect(person).to_contain_text(", in Terneuzen-Centrum")
            await expect(person.locator("a[href='tel:+31115123456']")).to_have_text("0115 123456")
            reporter = page.get_by_test_id("section-reporter")
            await expect(reporter.locator("a[href='tel:+31612345678']")).to_be_visible()

            # A note: one field, one click; kept in the history, for staff only.
            await page.fill("#note", "Gebeld met de melder; morgen langs.")
            await page.get_by_test_id("note-form").locator("button").click()
            await expect(page.get_by_test_id("flash")).to_contain_text("notitie")
            await expect(page.get_by_test_id("history")).to_contain_text("morgen langs")
            await look(page, "workplace-signal")

            # A question with a phone number is refused in red next to the field, kept.
            question = "Kunt u mij bellen op 06 11223344?"
            await page.fill("#question", question)
            await page.get_by_test_id("ask-form").locator("button").click()
            error = page.get_by_test_id("error-question")
            await expect(error).to_be_visible()
            assert await error.evaluate("e => getComputedStyle(e).color") == "rgb(164, 22, 26)"
            await expect(page.locator("#question")).to_have_value(question)
            await expect(page.locator("#question")).to_have_attribute("aria-invalid", "true")
            await look(page, "workplace-question-refused")

        async with browser_page() as page:
            await login(page, svc.base_url, "carla")
            await page.goto(f"{svc.base_url}/loket/signalen/{arabic}")
            # Someone else's signal says who has it, without the details.
            await expect(page.get_by_test_id("who-has-it")).to_contain_text("Anna de Vries")
            await expect(page.get_by_test_id("card")).to_be_visible()
            assert "Dorpsstraat" not in await page.content()
            await look(page, "workplace-signal-of-a-colleague")
            # Taking over asks why first (in red, next to the reason), then takes it.
            more = page.get_by_test_id("more-take_over")
            await more.locator("summary").click()
            await more.locator("button[data-action='take_over']").click()
            await expect(page.get_by_test_id("error-option-take_over")).to_be_visible()
            await page.get_by_test_id("more-take_over").locator("select").select_option("absent")
            await page.get_by_test_id("more-take_over").locator("button").click()
            await expect(page.get_by_test_id("who-has-it")).to_contain_text("Jij hebt")
            await expect(page.get_by_test_id("section-person")).to_contain_text("Dorpsstraat")
            await expect(page.get_by_test_id("history")).to_contain_text("Collega is afwezig")

            # "Cannot be followed up": a reason and a confirmation, not one click.
            more = page.get_by_test_id("more-cannot_follow_up")
            await more.locator("summary").click()
            await more.locator("select").select_option("elsewhere")
            await more.locator("button").click()
            await expect(page.get_by_test_id("error-confirm-cannot_follow_up")).to_be_visible()
            await expect(page.get_by_test_id("status")).to_have_attribute("data-status", "claimed")
            more = page.get_by_test_id("more-cannot_follow_up")
            await expect(more.locator("select")).to_have_value("elsewhere")  # kept
            await look(page, "workplace-cannot-follow-up-confirm")
            await more.locator("input[name=confirm]").check()
            await more.locator("button").click()
            await expect(page.get_by_test_id("status")).to_have_attribute(
                "data-status", "cannot_follow_up"
            )
        async with svc.app.store.unit_of_work() as uow:
            rows = await uow.session.execute(select(AuditEntry).order_by(AuditEntry.id))
            audited = [(r.actor, r.action, r.outcome) for r in rows.scalars()]
        assert (f"staff:{carla.id}", "take_over", "ok") in audited
        assert (f"staff:{carla.id}", "cannot_follow_up", "ok") in audited
        assert [a for _, a, _ in audited].count("note") == 1


async def test_the_access_history_reads_as_sentences(tmp_path: Path) -> None:
    async with web_service(tmp_path, run_outbox=False, **IDENTITY) as svc:
        anna = await add_web_staff(svc.app, "anna", role="loket", name="Anna de Vries")
        await add_web_staff(svc.app, "bram", role="regisseur", name="Bram Jansen")
        arabic, *_ = await seed(svc.app)
        async with svc.app.store.unit_of_work() as uow:
            signal = await uow.signals.get_by_reference(arabic)
            assert signal is not None
        await svc.app.actions.act("claim", signal.id, actor=StaffMember(anna.id), now=T0)
        async with browser_page() as page:
            await login(page, svc.base_url, "anna")
            for _ in range(3):  # three looks in a row fold into one line
                await page.goto(f"{svc.base_url}/loket/signalen/{arabic}")
        async with browser_page() as page:
            await login(page, svc.base_url, "bram")
            await page.goto(f"{svc.base_url}/loket/signalen/{arabic}")
            access = page.get_by_test_id("access")
            lines = await access.locator("li").all_inner_texts()
            assert lines[0].startswith("Anna de Vries koos „Oppakken”, ")
            assert lines[1].startswith("Anna de Vries bekeek de gegevens, ")
            assert "en daarna nog 2 keer" in lines[1]
            assert "staff:" not in await access.inner_text()
            await look(page, "workplace-access-history")


async def test_the_clicks_of_a_working_day(tmp_path: Path) -> None:
    """Pick up: 1 click on the signal. Note: type and 1 click. Hand over: open, choose a
    reason, 1 click (3). Close: choose the outcome, 1 click (2)."""
    async with web_service(tmp_path, run_outbox=False, **IDENTITY) as svc:
        await add_web_staff(svc.app, "anna", role="loket", name="Anna de Vries")
        await add_web_staff(svc.app, "carla", role="loket", name="Carla Bakker")
        arabic, *_ = await seed(svc.app)
        async with browser_page() as page:
            await login(page, svc.base_url, "anna")
            await page.goto(f"{svc.base_url}/loket/signalen/{arabic}")
            clicks = {"pick up": 0, "note": 0, "close": 0}
            await page.click("button[data-action='claim']")
            clicks["pick up"] += 1
            await expect(page.get_by_test_id("section-person")).to_be_visible()
            await page.fill("#note", "Morgen bellen.")
            await page.get_by_test_id("note-form").locator("button").click()
            clicks["note"] += 1
            await expect(page.get_by_test_id("history")).to_contain_text("Morgen bellen.")
            await page.click("button[data-action='contact']")
            await expect(page.get_by_test_id("status")).to_have_attribute(
                "data-status", "in_contact"
            )
            close = page.get_by_test_id("form-close")
            await close.locator("select").select_option("buddy")
            await close.locator("button").click()
            clicks["close"] += 2
            await expect(page.get_by_test_id("status")).to_have_attribute("data-status", "closed")
        assert clicks == {"pick up": 1, "note": 1, "close": 2}
