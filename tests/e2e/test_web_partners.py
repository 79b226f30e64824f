"""The partners page in a real browser: a regisseur adds partners (a wrong name is
refused kindly), every role sees their Telegram, WhatsApp and web chat links, and the
poster carries the links as QR codes; the link settings are validated."""

from __future__ import annotations

import io
import re
from pathlib import Path
from typing import Any

import pytest
import segno
from playwright.async_api import Page, expect
from pydantic import ValidationError
from sqlalchemy import select

from bot.dashboard.partner_form import POSTCODE_WRONG
from bot.dashboard.partners import QR_OPTIONS, qr_svg
from bot.settings import Settings
from storage.models import AuditEntry
from tests.support.web_harness import (
    add_web_staff,
    browser_page,
    login,
    screenshot,
    serious_violations,
    web_service,
)

pytestmark = pytest.mark.e2e

LINK_SETTINGS: dict[str, Any] = {
    "public_url": "https://signaalpunt.example.nl/",
    "telegram_bot_username": "@SignaalpuntBot",
    "whatsapp_display_number": "+31 6 1234 5678",
}
JUMBO_LINKS = {
    "web": "https://signaalpunt.example.nl/chat?partner=jumbo-terneuzen",
    "telegram": "https://t.me/SignaalpuntBot?start=p_jumbo-terneuzen",
    "whatsapp": "https://wa.me/31612345678?text=%2Fstart%20p_jumbo-terneuzen",
}


async def add_partner(page: Page, name: str) -> None:
    await page.fill("#partner-name", name)
    await page.get_by_test_id("add-partner").locator("button[type=submit]").click()


async def links_of(page: Page, code: str) -> dict[str, str]:
    row = page.get_by_test_id(f"partner-{code}")
    found = {}
    for item in await row.locator("[data-link]").all():
        kind = await item.get_attribute("data-link")
        href = await item.locator("a").get_attribute("href")
        assert kind is not None
        assert href is not None
        found[kind] = href
    return found


def independent_qr(link: str) -> bytes:
    out = io.BytesIO()
    segno.make_qr(link, error="m").save(out, **QR_OPTIONS)
    return out.getvalue()


async def test_a_regisseur_adds_partners_and_prints_a_poster(tmp_path: Path) -> None:
    async with web_service(tmp_path, run_outbox=False, **LINK_SETTINGS) as svc:
        rita = await add_web_staff(svc.app, "rita", role="regisseur")
        nl = svc.app.catalogs["nl"]
        async with browser_page() as page:
            await login(page, svc.base_url, "rita")
            await page.goto(f"{svc.base_url}/loket/partners")
            await expect(page.get_by_test_id("no-partners")).to_be_visible()
            assert await serious_violations(page) == []

            await add_partner(page, "   ")
            error = page.get_by_test_id("partner-error")
            await expect(error).to_contain_text(nl.gettext("Please type the partner's name."))
            too_long = "Supermarkt " * 12  # 132 characters
            await add_partner(page, too_long)
            await expect(error).to_be_visible()
            await expect(page.locator("#partner-name")).to_have_value(too_long)  # kept
            await expect(page.locator("#partner-name")).to_have_attribute("aria-invalid", "true")
            assert await serious_violations(page) == []

            await add_partner(page, "Jumbo Terneuzen")
            await expect(page.get_by_test_id("flash")).to_contain_text("Jumbo Terneuzen")
            assert await links_of(page, "jumbo-terneuzen") == JUMBO_LINKS
            await add_partner(page, " jumbo  TERNEUZEN ")  # the same partner again
            await expect(error).to_contain_text(
                nl.gettext("There is already a partner with this name.")
            )
            # A library, with its postcode: a wrong one is refused and what was typed kept.
            await page.select_option("#partner-role", "professional")
            await page.fill("#partner-postcode", "0531 AB")
            await add_partner(page, "Bibliotheek Axel")
            await expect(error).to_contain_text(nl.gettext(POSTCODE_WRONG))
            await expect(page.locator("#partner-role")).to_have_value("professional")
            await page.fill("#partner-postcode", "4571 ab")
            await add_partner(page, "Bibliotheek Axel")
            async with svc.app.store.unit_of_work() as uow:
                library = await uow.partners.by_code("bibliotheek-axel")
                jumbo = await uow.partners.by_code("jumbo-terneuzen")
            assert library is not None
            assert jumbo is not None
            assert (library.role, library.postcode) == ("professional", "4571 AB")
            assert (jumbo.role, jumbo.postcode) == ("shop", None)  # a shop, by default
            rows = page.get_by_test_id("partner-list").locator("tbody tr")
            await expect(rows).to_have_count(2)
            await expect(rows.first).to_contain_text("Bibliotheek Axel")  # by name
            await expect(page.get_by_test_id("links-missing")).to_have_count(0)
            assert await serious_violations(page) == []
            await screenshot(page, "partners")

            await (
                page.get_by_test_id("partner-jumbo-terneuzen").locator("a[href$='/poster']").click()
            )
            poster = page.get_by_test_id("poster")
            await expect(poster).to_contain_text("Jumbo Terneuzen")
            # "Your own language": the languages, each named in itself.
            for name in ("Nederlands", "English", "Türkçe", "العربية", "Polski", "Українська"):
                await expect(page.get_by_test_id("poster-languages")).to_contain_text(name)
            await expect(poster.locator("img")).to_have_count(3)
            for image in await poster.locator("img").all():
                assert await image.evaluate("i => i.complete && i.naturalWidth > 0")
                assert await image.get_attribute("alt")
            for kind, link in JUMBO_LINKS.items():
                response = await page.request.get(
                    f"{svc.base_url}/loket/partners/jumbo-terneuzen/qr-{kind}.svg"
                )
                assert response.status == 200
                assert response.headers["content-type"] == "image/svg+xml"
                body = await response.body()
                assert body == independent_qr(link) == qr_svg(link)
                await expect(poster.locator(f"[data-link='{kind}']")).to_contain_text(link)
            assert await serious_violations(page) == []
            await screenshot(page, "partner-poster")
            await page.emulate_media(media="print")
            await expect(page.locator(".staff-header")).to_be_hidden()
            await expect(poster).to_be_visible()
            await screenshot(page, "partner-poster-print")

        async with svc.app.store.unit_of_work() as uow:
            partners = [(p.code, p.name) for p in await uow.partners.all()]
            audit = (await uow.session.execute(select(AuditEntry.actor, AuditEntry.action))).all()
        assert partners == [
            ("bibliotheek-axel", "Bibliotheek Axel"),
            ("jumbo-terneuzen", "Jumbo Terneuzen"),
        ]
        assert [tuple(a) for a in audit if a.action == "partner_add"] == [
            (f"staff:{rita.id}", "partner_add")
        ] * 2


async def test_the_loket_sees_partners_but_cannot_add_one(tmp_path: Path) -> None:
    async with web_service(tmp_path, run_outbox=False) as svc:
        await add_web_staff(svc.app, "anna", role="loket")
        async with svc.app.store.unit_of_work() as uow:
            await uow.partners.add("apotheek-sluiskil", "Apotheek Sluiskil", svc.clock())
            await uow.commit()
        async with browser_page() as page:
            await login(page, svc.base_url, "anna")
            await page.goto(f"{svc.base_url}/loket/partners")
            await expect(page.get_by_test_id("add-partner")).to_have_count(0)
            # No bot name or WhatsApp number configured: the web chat link only, on the
            # service's own address, and a note on what to set.
            links = await links_of(page, "apotheek-sluiskil")
            assert links == {"web": f"{svc.base_url}/chat?partner=apotheek-sluiskil"}
            await expect(page.get_by_test_id("links-missing")).to_be_visible()
            assert await serious_violations(page) == []
            csrf = await page.locator("form.logout input[name=csrf]").input_value()
            refused = await page.request.post(
                f"{svc.base_url}/loket/partners", form={"csrf": csrf, "name": "Aldi Axel"}
            )
            assert refused.status == 403
            telegram = await page.request.get(
                f"{svc.base_url}/loket/partners/apotheek-sluiskil/qr-telegram.svg"
            )
            assert telegram.status == 404
            unknown = await page.request.get(f"{svc.base_url}/loket/partners/nobody/poster")
            assert unknown.status == 404
        async with svc.app.store.unit_of_work() as uow:
            assert [p.code for p in await uow.partners.all()] == ["apotheek-sluiskil"]
        # Strangers get the login, not the codes.
        async with browser_page() as page:
            response = await page.goto(f"{svc.base_url}/loket/partners/apotheek-sluiskil/poster")
            assert response is not None
            assert re.search(r"/loket/login\?next=", page.url)


def settings(**values: str) -> Settings:
    return Settings(_env_file=None, **values)  # type: ignore[call-arg,arg-type]


def test_link_settings_are_normalised() -> None:
    configured = settings(**LINK_SETTINGS)
    assert configured.public_url == "https://signaalpunt.example.nl"
    assert configured.telegram_bot_username == "SignaalpuntBot"
    assert configured.whatsapp_display_number == "31612345678"
    empty = settings(public_url=" ", telegram_bot_username="", whatsapp_display_number="")
    assert (empty.public_url, empty.telegram_bot_username, empty.whatsapp_display_number) == (
        None,
        None,
        None,
    )
    assert settings(whatsapp_display_number="0031612345678").whatsapp_display_number == (
        "31612345678"
    )


@pytest.mark.parametrize(
    ("name", "value", "named"),
    [
        ("public_url", "signaalpunt.example.nl", "SIGNAALPUNT_PUBLIC_URL"),
        ("public_url", "https://example.nl/?utm=1", "SIGNAALPUNT_PUBLIC_URL"),
        ("public_url", "javascript:alert(1)", "SIGNAALPUNT_PUBLIC_URL"),
        ("telegram_bot_username", "signaal punt", "SIGNAALPUNT_TELEGRAM_BOT_USERNAME"),
        ("telegram_bot_username", "Signaalpunt", "SIGNAALPUNT_TELEGRAM_BOT_USERNAME"),
        ("telegram_bot_username", "a" * 30 + "bot", "SIGNAALPUNT_TELEGRAM_BOT_USERNAME"),
        ("whatsapp_display_number", "0612345678", "SIGNAALPUNT_WHATSAPP_DISPLAY_NUMBER"),
        ("whatsapp_display_number", "+31 6 CALL ME", "SIGNAALPUNT_WHATSAPP_DISPLAY_NUMBER"),
    ],
)
def test_wrong_link_settings_are_named(name: str, value: str, named: str) -> None:
    with pytest.raises(ValidationError, match=named):
        settings(**{name: value})
