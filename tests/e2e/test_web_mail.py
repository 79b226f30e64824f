"""Staff reached by mail with no Telegram at all (issue 21): a report in the web chat
reaches the loket's mailbox on a real SMTP server on loopback (aiosmtpd); a staff member
sets her address in the dashboard (a wrong one is refused next to the field, what she
typed kept); her claim, a reminder and an escalation reach the right staff by mail. The
follow-up's sweeps are driven directly with ``now``."""

from __future__ import annotations

from datetime import timedelta
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest
from playwright.async_api import Page, expect
from sqlalchemy import select

from bot.bootstrap.serving import NoStaffChat, RoutingMessenger
from bot.bootstrap.web import web_pages
from bot.channels.webchat.channel import webchat_parts
from bot.outbox.by_mail import CHANNEL as MAIL
from core.followup import rules as f
from storage.models import AuditEntry
from tests.e2e.test_web_chat import report
from tests.e2e.test_web_dashboard import act
from tests.support.builders import outbox_rows
from tests.support.net import free_port
from tests.support.reports import REPORT
from tests.support.smtp_server import RecordingHandler, smtp_server
from tests.support.staff_mail import FROM, LOKET_MAILBOX, PUBLIC_URL
from tests.support.web_harness import (
    WebService,
    add_web_staff,
    browser_page,
    login,
    screenshot,
    serious_violations,
    web_service,
)

pytestmark = pytest.mark.e2e

ANNE = "anne.devries@terneuzen.test"
RITA = "rita.bakker@terneuzen.test"


def mail_settings(port: int) -> dict[str, Any]:
    return {
        "smtp_url": f"smtp://127.0.0.1:{port}",
        "mail_from": FROM,
        "loket_email": LOKET_MAILBOX,
        "public_url": PUBLIC_URL,
    }


async def deliver(svc: WebService) -> int:
    """The outbox as ``signaalpunt run`` sends it without Telegram: no staff chat, the web
    chat for its reporters, mail for staff."""
    chat = webchat_parts(svc.app, svc.clock, web_pages(svc.app))
    assert svc.app.mail is not None
    routing = RoutingMessenger(NoStaffChat(), {"web": chat.messenger, MAIL: svc.app.mail.messenger})
    return await svc.app.outbox_worker(routing).drain(svc.clock())


def mails_to(handler: RecordingHandler, address: str) -> list[EmailMessage]:
    return [r.message() for r in handler.received if r.rcpt_tos == (address,)]


def body(mail: EmailMessage) -> str:
    part = mail.get_body(("plain",))
    assert part is not None
    return str(part.get_content())


async def look_at(mail: EmailMessage, name: str) -> str:
    """The mail's HTML part as a mail program shows it, at phone and desktop width;
    returns what it says."""
    part = mail.get_body(("html",))
    assert isinstance(part, EmailMessage)
    html = str(part.get_content())
    shown = ""
    for width in (390, 1366):
        async with browser_page(viewport={"width": width, "height": 700}) as page:
            await page.set_content(html)
            link = page.get_by_role("link", name="Open het signaal in het dashboard")
            assert (await link.get_attribute("href") or "").startswith(PUBLIC_URL)
            overflow = await page.evaluate(
                "document.documentElement.scrollWidth - document.documentElement.clientWidth"
            )
            assert overflow == 0
            assert await serious_violations(page) == []
            await screenshot(page, f"{name}-{width}")
            shown = await page.inner_text("body")
    return shown


async def choose_address(page: Page, base_url: str, address: str, shots: str = "") -> None:
    await page.goto(f"{base_url}/loket/mijn-mail")
    await page.fill("#mail-address-field", "anne at terneuzen")
    await page.get_by_test_id("mail-form").locator("button[type=submit]").click()
    error = page.get_by_test_id("mail-error")
    await expect(error).to_contain_text("Dat is geen e-mailadres")
    assert await page.input_value("#mail-address-field") == "anne at terneuzen"  # kept
    if shots:
        await screenshot(page, f"{shots}-error")
        assert await serious_violations(page) == []
    await page.fill("#mail-address-field", address)
    await page.get_by_test_id("mail-form").locator("button[type=submit]").click()
    await expect(page.get_by_test_id("flash")).to_be_visible()
    await expect(page.get_by_test_id("mail-address")).to_contain_text(address)
    if shots:
        await screenshot(page, shots)
        assert await serious_violations(page) == []


async def test_with_no_telegram_staff_get_everything_by_mail(tmp_path: Path) -> None:
    port = free_port()
    handler = RecordingHandler()
    async with (
        smtp_server(handler, port),
        web_service(tmp_path, run_outbox=False, **mail_settings(port)) as svc,
    ):
        anne = await add_web_staff(svc.app, "anne", role="loket", name="Anne de Vries")
        rita = await add_web_staff(svc.app, "rita", role="regisseur", name="Rita Bakker")
        async with browser_page(viewport={"width": 390, "height": 844}) as page:
            await login(page, svc.base_url, "anne")
            await choose_address(page, svc.base_url, ANNE, shots="mail-staff-my-mail-390")
        async with browser_page(viewport={"width": 1366, "height": 900}) as page:
            await login(page, svc.base_url, "rita")
            await choose_address(page, svc.base_url, RITA, shots="mail-staff-my-mail-1366")
            # Someone else's address is refused kindly.
            await page.fill("#mail-address-field", ANNE.upper())
            await page.get_by_test_id("mail-form").locator("button[type=submit]").click()
            await expect(page.get_by_test_id("mail-error")).to_contain_text("collega")

        # A report in the web chat: the loket's mailbox hears of it, and so does everyone
        # who chose mail (what the group would read).
        async with browser_page() as page:
            await page.goto(f"{svc.base_url}/chat")
            first = await report(page, REPORT)
        await deliver(svc)
        [notice] = mails_to(handler, LOKET_MAILBOX)
        assert notice["Subject"] == f"Signaal {first}"
        assert f"{PUBLIC_URL}/loket/signalen/{first}" in body(notice)
        shown = await look_at(notice, "mail-staff-new-signal")
        assert "Nieuw signaal" in shown
        assert "Axel" in shown
        assert "Druk op de knop" not in shown  # the chat's button is not in a mail
        assert [m["Subject"] for m in mails_to(handler, ANNE)] == [f"Signaal {first}"]
        # No Telegram: the group's chat copy is marked unreached, not retried or alarmed.
        rows = {r.target: r.status for r in await outbox_rows(svc.app.store, "loket_card")}
        assert rows == {
            "loket": "unreached",
            "mail:loket": "sent",
            f"mail:staff:{anne.id}": "sent",
            f"mail:staff:{rita.id}": "sent",
        }

        # Anne picks it up in the dashboard: the details stay there, her mail says so.
        async with browser_page() as page:
            await login(page, svc.base_url, "anne")
            await page.goto(f"{svc.base_url}/loket/signalen/{first}")
            await act(page, "claim")
        await deliver(svc)
        claimed = mails_to(handler, ANNE)[-1]
        assert claimed["Subject"] == f"Re: Signaal {first}"
        assert claimed["In-Reply-To"] == notice["Message-ID"]
        assert "Je hebt dit signaal opgepakt" in body(claimed)

        # A second signal nobody picks up; days pass without contact on the first.
        async with browser_page() as page:
            await page.goto(f"{svc.base_url}/chat")
            second = await report(page, REPORT)
        await deliver(svc)
        before = {a: len(mails_to(handler, a)) for a in (ANNE, RITA, LOKET_MAILBOX)}
        for days in (2, 4, 8):
            svc.clock.now = svc.clock.now + timedelta(days=days)
            await svc.app.followup.sweep(svc.clock())
            await deliver(svc)
        kinds = {r.kind for r in await outbox_rows(svc.app.store)}
        assert {f.CLAIM_REMINDER, f.CLAIM_ESCALATION, f.CONTACT_REMINDER} <= kinds
        new_for = {a: mails_to(handler, a)[before[a] :] for a in before}
        # The contact reminder is Anne's alone; the escalation reaches the regisseur.
        contact = [m for m in new_for[ANNE] if first in m["Subject"]]
        assert contact
        assert "Herinnering" in body(contact[0])
        assert not [m for m in new_for[RITA] if first in m["Subject"]]
        escalated = [m for m in new_for[RITA] if second in m["Subject"] and "scalatie" in body(m)]
        assert escalated
        await look_at(escalated[0], "mail-staff-escalation")
        reminded = [m for m in new_for[LOKET_MAILBOX] if second in m["Subject"]]
        assert reminded
        assert "Herinnering" in body(reminded[0])
        # Nothing personal travels, and nothing went twice.
        ids = [r.message()["Message-ID"] + str(r.rcpt_tos) for r in handler.received]
        assert len(ids) == len(set(ids))
        async with svc.app.store.unit_of_work() as uow:
            actions = {
                (e.action, e.outcome)
                for e in (await uow.session.execute(select(AuditEntry))).scalars()
            }
        assert ("mail_address", "set") in actions
