"""Web reporters reached by mail: the e-mail question in the chat, the notice mail of a
check-in and of a question on a real SMTP server on loopback, its link opening the chat in
another browser, and what happens without an address, after erasure, and with a used,
expired or forged link."""

from __future__ import annotations

import re
import shutil
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from email.message import EmailMessage
from pathlib import Path
from typing import Any

from playwright.async_api import Page, ViewportSize

from bot.bootstrap.serving import RoutingMessenger
from bot.bootstrap.web import web_pages
from bot.channels.webchat import reach_texts as t
from bot.channels.webchat.channel import webchat_parts
from core.followup.rules import REPORTER_CHECKIN
from core.followup.texts import CHECKIN_THANKS
from core.lifecycle.parties import StaffMember
from tests.support.net import free_port
from tests.support.reports import MESSAGE_ME, REPORT
from tests.support.smtp_server import RecordingHandler, smtp_server
from tests.support.web_harness import (
    WebService,
    add_web_staff,
    browser,
    screenshot,
    serious_violations,
    web_service,
)

from .test_web_chat import gettext, live_prompt, press, report, signal, type_message

SHOTS = Path("/work/team/shots/21")
PHONE: ViewportSize = {"width": 390, "height": 844}
LINK = re.compile(r"http://127\.0\.0\.1:\d+/chat/open\?t=[A-Za-z0-9_-]+")


@asynccontextmanager
async def mail_service(
    tmp_path: Path, *, smtp: bool = True
) -> AsyncIterator[tuple[WebService, RecordingHandler]]:
    handler = RecordingHandler()
    port, web_port = free_port(), free_port()
    # Mail links lead to the public address: here the service's own loopback address.
    extra: dict[str, Any] = (
        {
            "smtp_url": f"smtp://127.0.0.1:{port}",
            "mail_from": "Gemeente <noreply@gemeente.test>",
            "public_url": f"http://127.0.0.1:{web_port}",
        }
        if smtp
        else {}
    )
    async with (
        smtp_server(handler, port),
        web_service(tmp_path, run_outbox=False, port=web_port, **extra) as svc,
    ):
        yield svc, handler


async def drain(svc: WebService) -> int:
    chat = webchat_parts(svc.app, svc.clock, web_pages(svc.app))
    routing = RoutingMessenger(svc.staff, {"web": chat.messenger})
    return await svc.app.outbox_worker(routing).drain(svc.clock())


async def shot(page: Page, name: str) -> None:
    path = await screenshot(page, f"web-reach-{name}")
    shutil.copy(path, SHOTS / path.name)


async def give_address(page: Page, address: str) -> None:
    await page.fill("#chat-mail", address)
    async with page.expect_navigation():
        await page.click("[data-testid=mail-form] button[value=give]")


async def email_of(svc: WebService, reference: str) -> str | None:
    stored = await signal(svc, reference)
    async with svc.app.store.unit_of_work() as uow:
        return await uow.reporter_mail.email_of(stored.id)


def body(mail: EmailMessage, subtype: str) -> str:
    part = mail.get_body((subtype,))
    assert part is not None
    return str(part.get_content())


async def test_a_check_in_reaches_a_web_reporter_by_mail_and_its_link_opens_the_chat(
    tmp_path: Path,
) -> None:
    async with mail_service(tmp_path) as (svc, smtp), browser() as chromium:
        phone = await chromium.new_context(locale="nl-NL", viewport=PHONE)
        page = await phone.new_page()
        await page.goto(f"{svc.base_url}/chat")
        reference = await report(page, MESSAGE_ME)
        form = page.locator("[data-testid=mail-form]")
        assert await form.count() == 1
        assert gettext(svc, "nl", t.ASK) in await form.inner_text()
        assert await serious_violations(page) == []
        await shot(page, "chat-nl-asks-address-390")
        await page.set_viewport_size({"width": 1366, "height": 900})
        await shot(page, "chat-nl-asks-address-1366")
        await page.set_viewport_size(PHONE)
        # A mistyped address: a message in Dutch, and what was typed stays.
        await give_address(page, "anna@voorbeeld")
        assert gettext(svc, "nl", t.BAD_ADDRESS) in await page.inner_text("[role=alert]")
        assert await page.input_value("#chat-mail") == "anna@voorbeeld"
        await give_address(page, " Anna@Voorbeeld.NL ")
        assert await page.locator("[data-testid=mail-form]").count() == 0
        assert gettext(svc, "nl", t.SAVED) in await page.inner_text("#latest")
        assert await email_of(svc, reference) == "Anna@voorbeeld.nl"
        cookie = next(c for c in await phone.cookies() if c["name"] == "signaalpunt_chat")
        assert cookie["expires"] > svc.clock().timestamp() + 20 * 86400  # outlives the check-in

        # Two weeks later the sweep queues the check-in; it lands in the chat, then the mail.
        svc.clock.advance(days=15)
        swept = await svc.app.followup.sweep(svc.clock())
        assert swept[REPORTER_CHECKIN] == 1
        assert await drain(svc) >= 2  # the check-in into the chat, then its notice
        assert await drain(svc) == 0  # never twice
        assert len(smtp.received) == 1
        mail = smtp.received[0].message()
        assert smtp.received[0].rcpt_tos == ("Anna@voorbeeld.nl",)
        assert mail["Subject"] == gettext(svc, "nl", t.SUBJECT)
        text = body(mail, "plain")
        assert reference not in text
        assert reference not in body(mail, "html")
        assert "eenzaam" not in (mail["Subject"] + text).lower()
        found = LINK.search(text)
        assert found is not None
        link = found.group(0)

        # The mail as received, and its link opened in another browser (a laptop).
        laptop = await chromium.new_context(locale="nl-NL", viewport=PHONE)
        inbox = await laptop.new_page()
        await inbox.set_content(body(mail, "html"))
        await shot(inbox, "mail-nl-as-received-390")
        other = await laptop.new_page()
        await other.goto(link)
        assert other.url.endswith("/chat/open")  # the token left the address bar
        await shot(other, "open-link-nl-390")
        async with other.expect_navigation():
            await other.click("[data-testid=open-chat] button")
        loket = other.locator("[data-who=loket]")
        assert reference in await loket.inner_text()
        await shot(other, "chat-nl-reopened-390")
        buttons = other.locator("[data-testid=loket-buttons] button")
        async with other.expect_navigation():
            await buttons.first.click()
        assert gettext(svc, "nl", CHECKIN_THANKS) in await other.inner_text("#latest")
        session = next(c for c in await laptop.cookies() if c["name"] == "signaalpunt_chat")
        assert session["expires"] == -1  # a session cookie: gone when the browser closes

        # Used once: the link gets a friendly page, and the first browser's cookie is spent.
        again = await (await chromium.new_context(locale="nl-NL")).new_page()
        response = await again.goto(link)
        assert response is not None
        assert response.status == 410
        assert gettext(svc, "nl", t.LINK_GONE) in await again.inner_text("[data-testid=link-gone]")
        await page.reload()
        assert await page.locator("[data-who=loket]").count() == 0
        forged = await again.goto(f"{svc.base_url}/chat/open?t={'A' * 43}")
        assert forged is not None
        assert forged.status == 410
        await laptop.close()
        await phone.close()


async def test_a_question_reaches_an_arabic_reporter_by_mail(tmp_path: Path) -> None:
    async with mail_service(tmp_path) as (svc, smtp), browser() as chromium:
        context = await chromium.new_context(locale="ar", viewport=PHONE)
        page = await context.new_page()
        await page.goto(f"{svc.base_url}/chat")
        await page.select_option("#chat-language", "ar")
        async with page.expect_navigation():
            await page.click("[data-testid=language-form] button")
        await press(page, "welcome", "report")
        reference = await report(page, MESSAGE_ME[1:])
        assert await page.get_attribute("html", "dir") == "rtl"
        assert gettext(svc, "ar", t.ASK) in await page.inner_text("[data-testid=mail-form]")
        await shot(page, "chat-ar-asks-address-390")
        await give_address(page, "a@")
        assert gettext(svc, "ar", t.BAD_ADDRESS) in await page.inner_text("[role=alert]")
        await give_address(page, "ahmad@example.com")
        anna = await add_web_staff(svc.app, "anna")
        stored = await signal(svc, reference)
        now = svc.clock()
        await svc.app.actions.act("claim", stored.id, actor=StaffMember(anna.id), now=now)
        await svc.app.actions.ask(
            reference, "Woont zij alleen?", actor=StaffMember(anna.id), now=now
        )
        await drain(svc)
        assert await drain(svc) == 0
        assert len(smtp.received) == 1
        mail = smtp.received[0].message()
        assert mail["Subject"] == gettext(svc, "ar", t.SUBJECT)
        assert mail["Content-Language"] == "ar"
        html = body(mail, "html")
        assert 'dir="rtl"' in html
        assert "Woont" not in html
        inbox = await context.new_page()
        await inbox.set_content(html)
        await shot(inbox, "mail-ar-as-received-390")
        found = LINK.search(body(mail, "plain"))
        assert found is not None
        # The same browser holds the chat: the link opens it at once, and is used up.
        await inbox.goto(found.group(0))
        assert inbox.url.endswith("/chat")
        assert "Woont zij alleen?" in await inbox.inner_text("[data-who=loket]")
        await type_message(inbox, "نعم")
        await shot(inbox, "chat-ar-reopened-390")
        await context.close()


async def test_without_an_address_nothing_is_mailed_but_the_chat_keeps_the_check_in(
    tmp_path: Path,
) -> None:
    async with mail_service(tmp_path) as (svc, smtp), browser() as chromium:
        context = await chromium.new_context(locale="nl-NL")
        page = await context.new_page()
        await page.goto(f"{svc.base_url}/chat")
        await report(page, MESSAGE_ME)
        async with page.expect_navigation():
            await page.click("[data-testid=mail-form] button[value=skip]")
        assert gettext(svc, "nl", t.SKIPPED) in await page.inner_text("#latest")
        svc.clock.advance(days=15)
        await svc.app.followup.sweep(svc.clock())
        await drain(svc)
        assert await drain(svc) == 0
        assert smtp.received == []
        # Past the 7 days a chat lived, the retention job keeps it: its check-in waits.
        await svc.app.retention.erase(svc.clock())
        await page.reload()
        assert await page.locator("[data-who=loket]").count() == 1
        await context.close()


async def test_no_smtp_no_question_and_erasure_removes_the_address(tmp_path: Path) -> None:
    async with mail_service(tmp_path, smtp=False) as (svc, _), browser() as chromium:
        context = await chromium.new_context(locale="nl-NL")
        page = await context.new_page()
        await page.goto(f"{svc.base_url}/chat")
        await report(page, MESSAGE_ME)
        assert await page.locator("[data-testid=mail-form]").count() == 0
        await context.close()
    async with mail_service(tmp_path / "erase") as (svc, _), browser() as chromium:
        context = await chromium.new_context(locale="nl-NL")
        page = await context.new_page()
        await page.goto(f"{svc.base_url}/chat")
        reference = await report(page, REPORT[:0] + MESSAGE_ME)
        await give_address(page, "piet@example.nl")
        assert await email_of(svc, reference) == "piet@example.nl"
        await type_message(page, "/verwijder")
        assert await live_prompt(page) == "confirm_erase"
        await press(page, "confirm_erase", "yes")
        assert await email_of(svc, reference) is None
        await context.close()


async def test_a_refused_notice_is_retried_and_arrives_once_in_turkish(tmp_path: Path) -> None:
    async with mail_service(tmp_path) as (svc, smtp), browser() as chromium:
        context = await chromium.new_context(locale="tr-TR", viewport=PHONE)
        page = await context.new_page()
        await page.goto(f"{svc.base_url}/chat")
        await page.select_option("#chat-language", "tr")
        async with page.expect_navigation():
            await page.click("[data-testid=language-form] button")
        await press(page, "welcome", "report")
        await report(page, MESSAGE_ME[1:])
        await give_address(page, "ayse@ornek.com.tr")
        svc.clock.advance(days=15)
        await svc.app.followup.sweep(svc.clock())
        smtp.data_answers.append("451 4.3.0 Try again later")  # the server is busy once
        await drain(svc)
        assert smtp.received == []
        assert await drain(svc) == 0  # waiting for its retry, not sent again at once
        svc.clock.advance(minutes=1)
        assert await drain(svc) == 1
        assert await drain(svc) == 0
        assert len(smtp.received) == 1
        mail = smtp.received[0].message()
        assert mail["Subject"] == gettext(svc, "tr", t.SUBJECT)
        assert mail["Content-Language"] == "tr"
        inbox = await context.new_page()
        await inbox.set_content(body(mail, "html"))
        await shot(inbox, "mail-tr-as-received-390")
        found = LINK.search(body(mail, "plain"))
        assert found is not None
        # A link past its 7 days gets the friendly page, in Turkish.
        svc.clock.advance(days=8)
        other = await (await chromium.new_context(locale="nl-NL", viewport=PHONE)).new_page()
        response = await other.goto(found.group(0))
        assert response is not None
        assert response.status == 410
        assert await other.get_attribute("html", "lang") == "tr"
        assert gettext(svc, "tr", t.LINK_GONE) in await other.inner_text("[data-testid=link-gone]")
        await shot(other, "link-gone-tr-390")
        await context.close()
