"""The mail as received, shown the way a mail program shows its HTML part: in chromium, at
phone and desktop width (screenshots under test-artifacts/screenshots/)."""

from __future__ import annotations

from email.message import EmailMessage

from bot.mail.notices import Translate
from bot.mail.sender import SmtpSender
from bot.mail.settings import parse_smtp_url
from tests.support.mails import LINK, signal_mail
from tests.support.net import free_port
from tests.support.smtp_server import RecordingHandler, smtp_server
from tests.support.tls import LocalCA
from tests.support.web_harness import browser_page, screenshot, serious_violations


async def test_the_received_mail_reads_well_and_is_accessible(
    local_ca: LocalCA, dutch: Translate
) -> None:
    handler, port = RecordingHandler(), free_port()
    async with smtp_server(handler, port, starttls=local_ca.server_context()):
        smtp = SmtpSender(
            parse_smtp_url(f"smtp://127.0.0.1:{port}"), tls_context=local_ca.client_context()
        )
        result = await smtp.send(
            signal_mail(
                dutch,
                "12",
                kind="escalation",
                lines=(
                    "SP-2026-0042 is nog niet opgepakt, terwijl de termijn (2 maart 11:15) "
                    "al verstreken is. Zorg dat iemand het signaal oppakt.",
                ),
            )
        )
    assert result.status == "sent"
    [received] = handler.received
    html_part = received.message().get_body(("html",))
    assert isinstance(html_part, EmailMessage)
    html = str(html_part.get_content())
    for width, name in ((390, "mail-escalation-phone"), (1024, "mail-escalation-desktop")):
        async with browser_page(viewport={"width": width, "height": 700}) as page:
            await page.set_content(html)
            assert await page.title() == "Signaal SP-2026-0042"
            link = page.get_by_role("link", name="Open het signaal in het dashboard")
            assert await link.get_attribute("href") == LINK
            await link.scroll_into_view_if_needed()
            assert await link.is_visible()
            # Nothing wider than the phone's screen.
            overflow = await page.evaluate(
                "document.documentElement.scrollWidth - document.documentElement.clientWidth"
            )
            assert overflow == 0
            assert await serious_violations(page) == []
            await screenshot(page, name)
