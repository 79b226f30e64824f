"""The rest of issue 22 in chromium (axe and screenshots at 390 and 1366 px as in
``test_web_workplace``): a telephone report lands on the full signal; partners changed,
ended and who may add them; the municipality's identity on the chat, the login page and
the poster; monitoring's "download all", the list's export, and the council report printed
to PDF by chromium and looked at as an image."""

from __future__ import annotations

import csv
import io
import zipfile
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from playwright.async_api import expect
from sqlalchemy import select

from storage.models import AuditEntry
from tests.e2e.test_web_workplace import IDENTITY, look, seed
from tests.support.pdf_image import pdf_pages_as_png
from tests.support.telegram_harness import T0
from tests.support.web_harness import ARTIFACTS, add_web_staff, browser_page, login, web_service

pytestmark = pytest.mark.e2e

LOGO = (
    '<svg xmlns="http://www.w3.org/2000/svg" width="160" height="48" viewBox="0 0 160 48">'
    '<rect width="48" height="48" fill="#00689e"/><text x="56" y="31" font-size="17" '
    'fill="#00689e">Terneuzen</text><script>alert(1)</script></svg>'
)


def identity(tmp_path: Path) -> dict[str, Any]:
    logo = tmp_path / "logo.svg"
    logo.write_text(LOGO)
    theme = tmp_path / "theme.css"
    # An NL Design System token file and the mapping onto ours, as a municipality has it.
    theme.write_text(
        ":root { --terneuzen-color-primary: #00689e; }\n"
        ":root { --signaalpunt-color-primary: var(--terneuzen-color-primary); }\n"
    )
    return IDENTITY | {"municipality_logo": logo, "theme_css": theme, "brand_colour": "#00689e"}


async def test_a_telephone_report_lands_on_the_full_signal(tmp_path: Path) -> None:
    async with web_service(tmp_path, run_outbox=False, **IDENTITY) as svc:
        anna = await add_web_staff(svc.app, "anna", role="loket", name="Anna de Vries")
        async with browser_page() as page:
            await login(page, svc.base_url, "anna")
            await page.goto(f"{svc.base_url}/loket/telefoon/other")
            form = page.get_by_test_id("intake-form")
            text = await form.inner_text()
            assert "Klaar" not in text  # no chat habits
            assert "naar het loket sturen" not in text
            assert "Hoe kent de beller de persoon?" in text
            # The options are the labels the signal page shows.
            await expect(page.get_by_test_id("question-role")).to_contain_text("Winkelmedewerker")
            await look(page, "workplace-intake")
            await page.check("input[name='danger'][value='no']")
            await page.check("input[name='role'][value='neighbour']")
            await page.check("input[name='age_group'][value='75_plus']")
            await page.check("input[name='observations'][value='often_alone']")
            await page.fill("#q-place_postcode", "4531 AB")
            await page.check("input[name='contact_language'][value='nl']")
            await page.check("input[name='callback'][value='yes']")
            await page.fill("#q-reporter_name", "Els")
            await page.fill("#q-reporter_phone", "06 12345678")
            await expect(page.locator("#q-take_it")).to_be_checked()
            await page.click("#q-submit")
            await expect(page.get_by_test_id("who-has-it")).to_contain_text("Jij hebt")
            await expect(page.get_by_test_id("section-reporter")).to_contain_text("Els")
            await expect(page.get_by_test_id("holder")).to_contain_text("belde het loket")
            await expect(page.get_by_test_id("history")).to_contain_text("Ingetypt")
            await look(page, "workplace-intake-saved")

            # Without taking it on, she still reads what she typed: she typed it.
            await page.goto(f"{svc.base_url}/loket/telefoon/self")
            await page.check("input[name='danger'][value='no']")
            await page.check("input[name='help_wanted'][value='grief']")
            await page.select_option("#q-place", "area:axel")
            await page.check("input[name='reach'][value='phone']")
            await page.fill("#q-self_name", "Henk")
            await page.fill("#q-self_phone", "0115 123456")
            await page.check("input[name='contact_language'][value='nl']")
            await page.uncheck("#q-take_it")
            await page.click("#q-submit")
            await expect(page.get_by_test_id("who-has-it")).to_contain_text("Niemand")
            await expect(page.get_by_test_id("section-person")).to_contain_text("Henk")
        async with svc.app.store.unit_of_work() as uow:
            first = await uow.signals.get_by_reference("SP-2026-0001")
            assert first is not None
            assert (first.status, first.assignee_id, first.channel) == (
                "claimed",
                anna.id,
                "phone",
            )


async def test_partners_are_changed_ended_and_the_loket_sees_who_may(tmp_path: Path) -> None:
    async with web_service(tmp_path, run_outbox=False, **IDENTITY) as svc:
        await add_web_staff(svc.app, "rita", role="regisseur", name="Rita Smit")
        await add_web_staff(svc.app, "anna", role="loket", name="Anna de Vries")
        async with svc.app.store.unit_of_work() as uow:
            await uow.partners.add("jumbo", "Jumbo", T0, role="shop")
            await uow.commit()
        await seed(svc.app)
        async with svc.app.store.unit_of_work() as uow:
            from sqlalchemy import update

            from storage.models import Signal

            await uow.session.execute(update(Signal).values(partner="jumbo"))
            await uow.commit()
        async with browser_page() as page:
            await login(page, svc.base_url, "anna")
            await page.goto(f"{svc.base_url}/loket/partners")
            await expect(page.get_by_test_id("who-may-add")).to_contain_text("Rita Smit")
            body = await page.content()
            assert "SIGNAALPUNT_" not in body  # no raw setting names
            await expect(page.get_by_test_id("add-partner")).to_have_count(0)
            await look(page, "workplace-partners-loket")
            response = await page.goto(f"{svc.base_url}/loket/partners/jumbo")
            assert response is not None
            assert response.status == 403
        async with browser_page() as page:
            await login(page, svc.base_url, "rita")
            await page.goto(f"{svc.base_url}/loket/partners")
            await page.get_by_test_id("edit-jumbo").click()
            await page.fill("#partner-name", "")
            await page.get_by_test_id("edit-partner").locator("button").click()
            await expect(page.get_by_test_id("partner-error")).to_be_visible()
            await expect(page.locator("#partner-name")).to_have_attribute("aria-invalid", "true")
            await look(page, "workplace-partner-edit-error")
            await page.fill("#partner-name", "Jumbo Axel")
            await page.select_option("#partner-area", "axel")
            await page.get_by_test_id("edit-partner").locator("button").click()
            await expect(page.get_by_test_id("partner-jumbo")).to_contain_text("Jumbo Axel")
            await page.goto(f"{svc.base_url}/loket/partners/jumbo")
            await page.get_by_test_id("take-part").locator("button").click()
            await expect(page.get_by_test_id("inactive-partners")).to_contain_text("Jumbo Axel")
            await look(page, "workplace-partners")
            # Its signals keep counting for it in the figures.
            await page.goto(f"{svc.base_url}/loket/monitoring")
            await expect(page.get_by_test_id("table-partner")).to_contain_text("Jumbo Axel")
        async with svc.app.store.unit_of_work() as uow:
            rows = await uow.session.execute(select(AuditEntry.action))
            actions = list(rows.scalars())
        assert "partner_change" in actions
        assert "partner_deactivate" in actions


async def test_the_municipalitys_look_on_chat_login_and_poster(tmp_path: Path) -> None:
    async with web_service(tmp_path, run_outbox=False, **identity(tmp_path)) as svc:
        await add_web_staff(svc.app, "rita", role="regisseur", name="Rita Smit")
        async with svc.app.store.unit_of_work() as uow:
            await uow.partners.add("jumbo", "Jumbo Terneuzen", T0, role="shop")
            await uow.commit()
        async with browser_page() as page:
            await page.goto(f"{svc.base_url}/loket/login")
            await expect(page.locator(".brand-logo")).to_have_attribute("alt", "Gemeente Terneuzen")
            assert "signaalpunt staff" not in await page.content()  # no command lines
            width = await page.locator("#username").evaluate("e => e.offsetWidth")
            assert width <= 360  # not stretched across the screen
            primary = await page.evaluate(
                "getComputedStyle(document.documentElement)"
                ".getPropertyValue('--signaalpunt-color-primary').trim()"
            )
            assert primary == "#00689e"  # the theme's token, through our custom property
            await look(page, "workplace-login")
            logo = await page.request.get(
                svc.base_url + (await page.locator(".brand-logo").get_attribute("src") or "")
            )
            assert "sandbox" in logo.headers["content-security-policy"]

            await page.goto(f"{svc.base_url}/chat")
            footer = page.get_by_test_id("municipality")
            await expect(footer.locator("a[href='tel:140115']")).to_have_text("14 0115")
            await expect(
                footer.locator("a[href='https://www.terneuzen.nl/privacy']")
            ).to_be_visible()
            await look(page, "workplace-chat-identity")

            await login(page, svc.base_url, "rita")
            await page.goto(f"{svc.base_url}/loket/partners/jumbo/poster")
            await expect(page.get_by_test_id("poster-phone")).to_contain_text("14 0115")
            await expect(page.get_by_test_id("poster").locator(".brand-logo")).to_be_visible()
            await look(page, "workplace-poster")


async def test_monitoring_downloads_and_the_council_report(tmp_path: Path) -> None:
    async with web_service(tmp_path, run_outbox=False, **IDENTITY) as svc:
        await add_web_staff(svc.app, "rita", role="regisseur", name="Rita Smit")
        await add_web_staff(svc.app, "anna", role="loket", name="Anna de Vries")
        for _ in range(2):
            await seed(svc.app)  # 8 signals: 2 in Axel, 4 in Terneuzen-Centrum by postcode
        svc.clock.now = T0 + timedelta(days=2)
        async with browser_page() as page:
            await login(page, svc.base_url, "rita")
            await page.goto(f"{svc.base_url}/loket/?status=all")
            href = await page.get_by_test_id("export").get_attribute("href")
            listed = await page.request.get(f"{svc.base_url}{href}")
            assert listed.headers["content-type"] == "text/csv; charset=utf-8"
            body = await listed.body()
            rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig")), delimiter=";"))
            assert rows[0][:3] == ["Meldingsnummer", "Ontvangen", "Status"]
            assert len(rows) == 9
            text = body.decode("utf-8-sig")
            for personal in ("Jansen", "Dorpsstraat", "0115", "Piet", "4531 AB"):
                assert personal not in text

            await page.goto(f"{svc.base_url}/loket/monitoring")
            await expect(page.get_by_test_id("figure-area")).to_contain_text("Terneuzen-Centrum")
            href = await page.get_by_test_id("download-all").get_attribute("href")
            zipped = await page.request.get(f"{svc.base_url}{href}")
            assert zipped.headers["content-type"] == "application/zip"
            archive = zipfile.ZipFile(io.BytesIO(await zipped.body()))
            names = archive.namelist()
            assert "toelichting.txt" in names
            area = next(n for n in names if n.startswith("signaalpunt-area-"))
            text = archive.read(area).decode("utf-8-sig")
            cells = list(csv.reader(io.StringIO(text), delimiter=";"))
            counts = {row[1]: row[2] for row in cells[1:]}
            assert counts["Axel"] == "< 5"  # 2 signals: never shown as a small count
            assert counts["Terneuzen-Centrum"] == "×" or counts["Terneuzen-Centrum"] == "< 5"

            await page.get_by_test_id("council-report-link").click()
            report = page.get_by_test_id("council-report")
            await expect(report).to_contain_text("cijfers voor de gemeenteraad")
            await expect(page.get_by_test_id("report-total")).to_have_text("8")
            assert "< 5" in await report.inner_text()
            await look(page, "workplace-council-report")
            # Printed by chromium to PDF, and the pages looked at as images.
            await page.set_viewport_size({"width": 1366, "height": 900})
            pdf = await page.pdf(format="A4", print_background=True)
            images = pdf_pages_as_png(pdf, ARTIFACTS / "workplace-council-report-pdf")
            assert 1 <= len(images) <= 4
            printed = await page.evaluate("document.title")
            assert "Rapport" in printed
        async with browser_page() as page:
            await login(page, svc.base_url, "anna")
            for path in (
                "/loket/monitoring/raad",
                "/loket/monitoring/alles.zip",
                "/loket/signalen.csv",
            ):
                response = await page.goto(svc.base_url + path)
                assert response is not None
                assert response.status == 403, path
