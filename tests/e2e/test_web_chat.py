"""The residents' web chat in a real browser (Debian's chromium) over real HTTP: complete
reports in Dutch and Arabic (right-to-left), a reload and a server restart mid-report, a
report by keyboard only, a double submit, a check-in and a question from the loket,
/verwijder, a partner's link, and axe-core on every kind of page."""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from playwright.async_api import Page

from bot.bootstrap.serving import RoutingMessenger
from bot.channels.webchat.chat import COOKIE
from core.dialog import messages as m
from core.dialog.dialogs import WELCOME
from core.dialog.flows import REPORT_OTHER
from core.followup.rules import REPORTER_CHECKIN
from core.followup.texts import CHECKIN_THANKS, QUESTION_ANSWER_SENT
from core.text.msgids import P_, SUICIDE_LINE_FREE
from storage.followup import REPORTER_ANSWER
from storage.models import WebChat
from storage.records import StoredSignal
from tests.support.reports import MESSAGE_ME, REPORT
from tests.support.web_harness import (
    WebService,
    add_web_staff,
    browser_context,
    screenshot,
    serious_violations,
    web_service,
)

# The answer box's label while the municipality's question is the newest message.
ANSWER_TO_QUESTION = P_("web chat: answer box", "Your answer to the municipality's question")
REFERENCE = re.compile(r"SP-\d{4}-\d{4}")
Form = dict[str, str | float | bool]
WITH_CHECKIN = MESSAGE_ME  # the municipality may write back: asked after 2 weeks
WORRIED = WELCOME.choices[0].label  # "I am worried about someone"
# From a partner's link: what the partner is and where are filled in.
VIA_PARTNER = [step for step in REPORT if step[0] not in {"role", "place"}]


# -- driving the page -------------------------------------------------------------------


async def live_prompt(page: Page) -> str:
    return await page.get_attribute("[data-testid=choices] input[name=prompt]", "value") or ""


async def press(page: Page, prompt: str, choice: str) -> None:
    """Press a choice of the newest question (which must be ``prompt``)."""
    assert await live_prompt(page) == prompt
    async with page.expect_navigation():
        await page.click(f'[data-testid=choices] button[value="{choice}"]')


async def type_message(page: Page, text: str) -> None:
    await page.fill("#chat-text", text)
    async with page.expect_navigation():
        await page.press("#chat-text", "Enter")


async def report(page: Page, steps: Sequence[tuple[str, str]], shots: str | None = None) -> str:
    """Answer ``steps`` by buttons; returns the reference the bot gives at the end. With
    ``shots``, the question, multi-select and summary pages are screenshot and checked
    by axe."""
    for prompt, choice in steps:
        if shots and prompt in {"age_group", "summary"}:
            await check_page(page, f"{shots}-{'question' if prompt == 'age_group' else 'summary'}")
        if shots and (prompt, choice) == ("observations", "done"):
            await check_page(page, f"{shots}-multi-select")
        await press(page, prompt, choice)
    found = REFERENCE.search(await page.inner_text("#latest"))
    assert found is not None
    return found.group(0)


async def check_page(page: Page, name: str) -> None:
    await screenshot(page, name)
    assert await serious_violations(page) == []


async def entries(page: Page, who: str) -> list[str]:
    texts = await page.locator(f"[data-who={who}] .chat-bubble").all_inner_texts()
    return [" ".join(t.split("\n")[1:]).strip() for t in texts]  # without "who"


async def focused(page: Page) -> dict[str, Any]:
    found: dict[str, Any] = await page.evaluate(
        "({id: document.activeElement.id, value: document.activeElement.value || '',"
        " tag: document.activeElement.tagName})"
    )
    return found


async def signal(svc: WebService, reference: str) -> StoredSignal:
    async with svc.app.store.unit_of_work() as uow:
        found = await uow.signals.get_by_reference(reference)
    assert found is not None
    return found


async def chat_rows(svc: WebService) -> list[WebChat]:
    from sqlalchemy import select

    async with svc.app.store.unit_of_work() as uow:
        return list((await uow.session.execute(select(WebChat))).scalars().all())


def gettext(svc: WebService, language: str, msgid: str) -> str:
    return svc.app.catalogs[language].gettext(msgid)


# -- complete reports --------------------------------------------------------------------


async def test_a_complete_report_in_dutch_through_a_partners_link(tmp_path: Path) -> None:
    async with web_service(tmp_path) as svc, browser_context(locale="nl-NL") as context:
        async with svc.app.store.unit_of_work() as uow:
            await uow.partners.add(
                "jumbo-terneuzen", "Jumbo Terneuzen", svc.clock(), role="shop", postcode="4531 AB"
            )
            await uow.commit()
        page = await context.new_page()
        response = await page.goto(f"{svc.base_url}/chat?partner=jumbo-terneuzen")
        assert response is not None
        assert response.headers["cache-control"] == "no-store"
        assert "'self'" in response.headers["content-security-policy"]
        assert await page.get_attribute("html", "lang") == "nl"
        assert await page.get_attribute("html", "dir") == "ltr"
        assert await chat_rows(svc) == []  # a first visit stores nothing
        welcome = gettext(svc, "nl", WORRIED)
        assert welcome in await page.inner_text("[data-testid=choices]")
        assert "Türkçe" in await page.inner_text("[data-testid=choices]")
        assert (await focused(page))["id"] == "latest"
        # The safety numbers are links that call them.
        assert await page.locator("a.tel[href='tel:08000113']").count() == 1
        await check_page(page, "chat-nl-welcome")

        for prompt, choice in VIA_PARTNER[:-1]:
            if prompt in {"age_group", "summary"}:
                await check_page(page, f"chat-nl-{prompt}")
            await press(page, prompt, choice)
        summary = await page.inner_text("#latest")
        assert "Ik werk in een winkel" in summary  # filled in by the partner's link...
        assert "4531 AB" in summary
        await press(page, "summary", "send")
        reference = REFERENCE.search(await page.inner_text("#latest")).group(0)  # type: ignore[union-attr]
        await check_page(page, "chat-nl-sent")
        assert await live_prompt(page) == "again"  # a button for a new report
        stored = await signal(svc, reference)
        assert stored.channel == "web"
        assert stored.draft.partner == "jumbo-terneuzen"
        assert stored.draft.codes["role"] == "shop"
        assert stored.draft.postcode == "4531 AB"
        assert set(stored.draft.multi["observations"]) == {"often_alone", "not_seen"}
        assert stored.draft.urgent
        # What the resident chose is in the transcript, as they saw it.
        mine = await entries(page, "me")
        assert mine[0] == welcome
        not_seen = gettext(svc, "nl", REPORT_OTHER.step("observations").choices[7].label)
        assert any(not_seen in entry for entry in mine)
        [cookie] = [c for c in await context.cookies() if c["name"] == COOKIE]
        assert cookie["httpOnly"]
        assert cookie["sameSite"] == "Lax"
        assert cookie["path"] == "/chat"
        assert len(await chat_rows(svc)) == 1


async def test_a_complete_report_in_arabic_is_laid_out_right_to_left(tmp_path: Path) -> None:
    async with web_service(tmp_path) as svc, browser_context(locale="nl-NL") as context:
        page = await context.new_page()
        await page.goto(f"{svc.base_url}/chat")
        await page.select_option("#chat-language", "ar")
        async with page.expect_navigation():
            await page.click("[data-testid=language-form] button")
        assert await page.get_attribute("html", "lang") == "ar"
        assert await page.get_attribute("html", "dir") == "rtl"
        direction = "el => getComputedStyle(el).direction"
        assert await page.eval_on_selector(".chat-log", direction) == "rtl"
        assert await page.eval_on_selector("#latest", direction) == "rtl"
        assert await live_prompt(page) == "welcome"
        await check_page(page, "chat-ar-welcome")

        await press(page, "welcome", "report")
        # Right to left: the bot's messages start at the right, the resident's at the left.
        bot = await page.locator("[data-who=bot] .chat-bubble").last.bounding_box()
        me = await page.locator("[data-who=me] .chat-bubble").last.bounding_box()
        assert bot is not None
        assert me is not None
        assert bot["x"] + bot["width"] > me["x"] + me["width"]
        assert me["x"] < bot["x"]
        reference = await report(page, REPORT[1:], shots="chat-ar")
        await check_page(page, "chat-ar-sent")
        stored = await signal(svc, reference)
        assert stored.draft.language == "ar"
        assert await live_prompt(page) == "again"  # a button, not "type /start"


async def test_the_page_fits_a_small_phone_screen(tmp_path: Path) -> None:
    async with (
        web_service(tmp_path) as svc,
        browser_context(locale="ar", viewport={"width": 320, "height": 640}) as context,
    ):
        page = await context.new_page()
        await page.goto(f"{svc.base_url}/chat")
        await press(page, "welcome", "report")
        width = await page.evaluate("document.documentElement.scrollWidth")
        assert width <= 320  # nothing scrolls sideways (WCAG reflow at 320 px)
        heights = await page.locator("[data-testid=choices] button").evaluate_all(
            "buttons => buttons.map(b => b.getBoundingClientRect().height)"
        )
        assert heights
        assert min(heights) >= 44
        await check_page(page, "chat-ar-phone")


async def test_arabic_at_320_px_keeps_references_numbers_and_commands_whole(
    tmp_path: Path,
) -> None:
    """Issue 20: in Arabic on a small phone a reference must not break ("SP-" at the end
    of a line) nor a command show mirrored ("start/"); numbers to call are links."""
    async with (
        web_service(tmp_path) as svc,
        browser_context(locale="ar", viewport={"width": 320, "height": 640}) as context,
    ):
        page = await context.new_page()
        await page.goto(f"{svc.base_url}/chat")
        assert await page.get_attribute("html", "dir") == "rtl"
        await press(page, "welcome", "report")
        await type_message(page, "/verwijder")  # a command, typed: shown as typed
        await press(page, "confirm_erase", "no")
        reference = await report(page, REPORT[1:])
        assert await live_prompt(page) == "again"
        tokens = page.locator(".chat-bubble bdi.token")
        shown = await tokens.evaluate_all(
            """tokens => tokens.map(t => ({
                text: t.textContent,
                lines: t.getClientRects().length,
                direction: getComputedStyle(t).direction,
                wrap: getComputedStyle(t).whiteSpace,
            }))"""
        )
        assert {"text": reference, "lines": 1, "direction": "ltr", "wrap": "nowrap"} in shown
        assert all(t["lines"] == 1 and t["direction"] == "ltr" for t in shown), shown
        assert await page.locator(f"a.tel[href='tel:{SUICIDE_LINE_FREE.replace('-', '')}']").count()
        mine = await page.locator("[data-who=me] .chat-bubble").all_inner_texts()
        assert any("/verwijder" in text for text in mine)
        assert await page.evaluate("document.documentElement.scrollWidth") <= 320
        await check_page(page, "chat-ar-320-sent")


# -- reload, restart, keyboard, double submit -------------------------------------------------


async def test_a_reload_mid_report_continues_where_it_was(tmp_path: Path) -> None:
    async with web_service(tmp_path) as svc, browser_context(locale="nl-NL") as context:
        page = await context.new_page()
        await page.goto(f"{svc.base_url}/chat")
        half = REPORT.index(("contact_language", "nl"))
        for prompt, choice in REPORT[:half]:
            await press(page, prompt, choice)
        before = await entries(page, "me")
        await page.reload()
        assert await live_prompt(page) == "contact_language"
        assert await entries(page, "me") == before
        assert (await focused(page))["id"] == "latest"
        reference = await report(page, REPORT[half:])
        assert (await signal(svc, reference)).draft.codes["contact_language"] == "nl"


async def test_a_server_restart_mid_report_loses_nothing(tmp_path: Path) -> None:
    async with browser_context(locale="nl-NL") as context:
        page = await context.new_page()
        half = REPORT.index(("place", "area:axel"))
        async with web_service(tmp_path) as svc:
            await page.goto(f"{svc.base_url}/chat")
            for prompt, choice in REPORT[:half]:
                await press(page, prompt, choice)
            clock = svc.clock
        async with web_service(tmp_path, clock=clock) as again:
            await page.goto(f"{again.base_url}/chat")  # a new port: the cookie is the host's
            assert await live_prompt(page) == "place"
            reference = await report(page, REPORT[half:])
            stored = await signal(again, reference)
        assert stored.draft.codes["age_group"] == "75_plus"


async def keyboard_choose(page: Page, choice: str, key: str) -> None:
    """From where the focus is, Tab to the choice and press it with ``key``."""
    for _ in range(30):
        await page.keyboard.press("Tab")
        if (await focused(page))["value"] == choice:
            break
    else:
        raise AssertionError(f"no choice {choice} in the tab order")
    async with page.expect_navigation():
        await page.keyboard.press(key)


async def test_a_report_by_keyboard_only(tmp_path: Path) -> None:
    async with web_service(tmp_path) as svc, browser_context(locale="nl-NL") as context:
        page = await context.new_page()
        await page.goto(f"{svc.base_url}/chat")
        for number, (prompt, choice) in enumerate(REPORT):
            assert await live_prompt(page) == prompt
            if prompt == "place":  # typed: the text field follows the choices
                assert (await focused(page))["id"] == "latest"
                while (await focused(page))["id"] != "chat-text":
                    await page.keyboard.press("Tab")
                await page.keyboard.type("Axel")
                async with page.expect_navigation():
                    await page.keyboard.press("Enter")
                continue
            before = REPORT[number - 1]
            if before[0] == prompt == "observations":  # after a toggle: on the toggled choice
                assert (await focused(page))["value"] == before[1]
                assert await page.get_attribute(f"button[value={before[1]}]", "aria-pressed") == (
                    "true"
                )
            else:  # on the newest message, so a screen reader reads it first
                assert (await focused(page))["id"] == "latest"
            await keyboard_choose(page, choice, "Enter" if number % 2 else " ")
        found = REFERENCE.search(await page.inner_text("#latest"))
        assert found is not None
        assert (await signal(svc, found.group(0))).draft.area == "axel"


async def nonce(page: Page) -> str:
    return await page.get_attribute("[data-testid=choices] input[name=nonce]", "value") or ""


async def test_a_double_submit_is_processed_once(tmp_path: Path) -> None:
    async with web_service(tmp_path) as svc, browser_context(locale="nl-NL") as context:
        page = await context.new_page()
        await page.goto(f"{svc.base_url}/chat")
        # The first form twice: one chat, one answer.
        form: Form = {"nonce": await nonce(page), "prompt": "welcome", "choice": "report"}
        for _ in range(2):
            sent = await page.request.post(f"{svc.base_url}/chat", form=form)
            assert sent.ok
        await page.reload()
        assert len(await chat_rows(svc)) == 1
        form = {"nonce": await nonce(page), "prompt": "role", "choice": "shop"}
        for _ in range(2):
            await page.request.post(f"{svc.base_url}/chat", form=form)
        await page.reload()
        assert await live_prompt(page) == "age_group"
        assert await entries(page, "me") == [
            gettext(svc, "nl", WORRIED),
            gettext(svc, "nl", REPORT_OTHER.step("role").choices[0].label),
        ]
        stale = gettext(svc, "nl", m.STALE)
        assert all(stale not in text for text in await entries(page, "bot"))


async def test_bad_forms_get_a_message_and_lose_nothing(tmp_path: Path) -> None:
    async with web_service(tmp_path) as svc, browser_context(locale="nl-NL") as context:
        page = await context.new_page()
        url = f"{svc.base_url}/chat"
        await page.goto(url)
        await press(page, "welcome", "report")
        before = await entries(page, "me")
        too_long = await page.request.post(
            url, form={"nonce": await nonce(page), "text": "x" * 20_000}
        )
        assert too_long.status == 413
        assert 'data-testid="chat-problem"' in await too_long.text()
        assert 'data-testid="latest"' in await too_long.text()  # the conversation is there
        nothing = await page.request.post(url, form={"nonce": await nonce(page), "what": "?"})
        assert nothing.ok
        elsewhere = await page.request.post(
            url, form={"text": "hoi"}, headers={"Sec-Fetch-Site": "cross-site"}
        )
        assert elsewhere.status == 403
        forged: Form = {"nonce": await nonce(page), "data": "s|claim|1"}  # a staff button: stale
        assert (await page.request.post(url, form=forged)).ok
        await page.reload()
        assert await live_prompt(page) == "role"
        assert await entries(page, "me") == before
        assert gettext(svc, "nl", m.STALE) in await page.inner_text("[data-testid=chat-log]")
        # Typed markup is text: shown as typed, never as part of the page.
        await type_message(page, '<b id="typed">hoi</b><script>document.title="x"</script>')
        assert (await entries(page, "me"))[-1].startswith('<b id="typed">hoi</b><script>')
        assert await page.locator("#typed").count() == 0
        assert await page.title() != "x"
        assert await live_prompt(page) == "role"  # not an answer: asked again


async def test_cookies_are_secure_when_configured(tmp_path: Path) -> None:
    async with web_service(tmp_path, web_secure_cookies=True) as svc:
        async with browser_context() as context:
            response = await context.request.get(f"{svc.base_url}/chat")
            cookie = response.headers["set-cookie"]
        assert cookie.startswith(f"{COOKIE}=")
        assert "Secure" in cookie
        assert "HttpOnly" in cookie
        assert "SameSite=lax" in cookie
        assert f"Max-Age={svc.app.settings.retain_draft_days * 86400}" in cookie


# -- the loket writes back ---------------------------------------------------------------------


async def deliver_outbox(svc: WebService) -> int:
    from bot.bootstrap.web import web_pages
    from bot.channels.webchat.channel import webchat_parts

    chat = webchat_parts(svc.app, svc.clock, web_pages(svc.app))
    routing = RoutingMessenger(svc.staff, {"web": chat.messenger})
    return await svc.app.outbox_worker(routing).drain(svc.clock())


async def test_a_check_in_from_the_loket_appears_and_its_button_works(tmp_path: Path) -> None:
    async with (
        web_service(tmp_path, run_outbox=False) as svc,
        browser_context(locale="nl-NL") as context,
    ):
        page = await context.new_page()
        await page.goto(f"{svc.base_url}/chat")
        reference = await report(page, WITH_CHECKIN)
        svc.clock.advance(days=15)
        swept = await svc.app.followup.sweep(svc.clock())
        assert swept[REPORTER_CHECKIN] == 1
        assert await deliver_outbox(svc) >= 1
        await page.reload()
        loket = page.locator("[data-who=loket]")
        assert await loket.count() == 1
        assert reference in await loket.inner_text()
        assert (await focused(page))["id"] == "latest"
        await check_page(page, "chat-nl-checkin")
        buttons = page.locator("[data-testid=loket-buttons] button")
        assert await buttons.count() == 3
        async with page.expect_navigation():
            await buttons.first.click()  # "yes, there was contact"
        assert await page.locator("[data-testid=loket-buttons]").count() == 0
        assert gettext(svc, "nl", CHECKIN_THANKS) in await page.inner_text("#latest")
        stored = await signal(svc, reference)
        async with svc.app.store.unit_of_work() as uow:
            events = await uow.signals.events(stored.id)
        assert [e.detail for e in events if e.action == REPORTER_ANSWER] == ["yes"]


async def test_a_question_from_the_loket_is_answered_in_the_chat(tmp_path: Path) -> None:
    async with (
        web_service(tmp_path, run_outbox=False) as svc,
        browser_context(locale="nl-NL") as context,
    ):
        page = await context.new_page()
        await page.goto(f"{svc.base_url}/chat")
        reference = await report(page, REPORT)
        anna = await add_web_staff(svc.app, "anna")
        stored = await signal(svc, reference)
        now = svc.clock()
        claimed = await svc.app.actions.act("claim", stored.id, staff_id=anna.id, now=now)
        assert claimed is not None
        assert claimed.done
        await svc.app.actions.ask(reference, "Woont zij alleen?", staff_id=anna.id, now=now)
        await deliver_outbox(svc)
        await page.reload()
        assert "Woont zij alleen?" in await page.inner_text("[data-who=loket]")
        question = await page.inner_text("[data-who=loket]")
        assert "Beantwoorden" not in question  # no chat-app habits on the web
        await check_page(page, "chat-nl-question")
        # One answer box: the newest message is the question, so the box answers it.
        label = gettext(svc, "nl", ANSWER_TO_QUESTION)
        assert await page.inner_text("label[for=chat-text]") == label
        await type_message(page, "Ja, sinds vorig jaar")
        assert await page.inner_text("label[for=chat-text]") != label  # back to the report
        assert gettext(svc, "nl", QUESTION_ANSWER_SENT) in await page.inner_text("#latest")
        async with svc.app.store.unit_of_work() as uow:
            events = await uow.signals.events(stored.id)
        assert [e.note for e in events if e.action == "reporter_reply"] == ["Ja, sinds vorig jaar"]


# -- erasure -----------------------------------------------------------------------------------


async def test_verwijder_erases_the_transcript_and_the_cookie(tmp_path: Path) -> None:
    async with web_service(tmp_path) as svc, browser_context(locale="nl-NL") as context:
        page = await context.new_page()
        await page.goto(f"{svc.base_url}/chat")
        await press(page, "welcome", "report")
        await type_message(page, "/verwijder")
        assert await live_prompt(page) == "confirm_erase"
        old = {c["value"] for c in await context.cookies() if c["name"] == COOKIE}
        await press(page, "confirm_erase", "yes")
        erased = gettext(svc, "nl", m.ERASED)
        assert erased in await page.inner_text("[data-testid=chat-log]")
        assert await entries(page, "me") == []
        assert await live_prompt(page) == "welcome"
        await check_page(page, "chat-nl-erased")
        assert await chat_rows(svc) == []
        async with svc.app.store.unit_of_work() as uow:
            assert await uow.reporters.find("web", "anyone") is None
        now = {c["value"] for c in await context.cookies() if c["name"] == COOKIE}
        assert not old & now  # the old token is gone
        await page.reload()  # the confirmation is shown once
        assert erased not in await page.inner_text("[data-testid=chat-log]")
