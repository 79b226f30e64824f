"""Single sign-on in chromium: the button on the login page, the provider's pages, and the
signal list with the mapped role; the refusal page; logout through the provider; the
login page with password sign-in off. Screenshots at phone and desktop width."""

from __future__ import annotations

import re
from pathlib import Path

from playwright.async_api import Page, expect

from tests.e2e.test_web_dashboard import seed
from tests.sso.dashboard import ORGANISATION, sign_on_site
from tests.support.web_harness import browser_page, screenshot, serious_violations

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1366, "height": 900}


async def at_the_provider(page: Page, login: str) -> None:
    """The provider's own login and consent pages, filled in as a person would."""
    await page.fill("input[name=login]", login)
    await page.fill("input[name=password]", "any password: the dev login takes any")
    await page.click("button[type=submit]")
    await page.click("button[type=submit]")  # consent: "Continue"


async def test_a_regisseur_signs_on_and_lands_on_the_signal_list(tmp_path: Path) -> None:
    async with sign_on_site(tmp_path) as site:
        await seed(site.web.app, count=2)
        async with browser_page(viewport=DESKTOP) as page:
            await page.goto(f"{site.base_url}/loket/")
            assert "/loket/login" in page.url
            button = page.get_by_test_id("sign-on")
            await expect(button).to_have_text(f"Inloggen met {ORGANISATION}")
            assert await serious_violations(page) == []
            await screenshot(page, "sign-on-login-1366")
            await button.click()
            await at_the_provider(page, "rick")
            await page.wait_for_url(re.compile(r".*/loket/$"))
            await expect(page.get_by_test_id("signal-list").locator("tbody tr")).to_have_count(2)
            await expect(page.locator(".staff-header .who")).to_have_text("Rick Regie")
            await expect(page.locator("nav a[href='/loket/monitoring']")).to_be_visible()
            await screenshot(page, "sign-on-list-regisseur-1366")
            # Logout: here, then at the provider, then back on the login page.
            await page.click(".logout button[type=submit]")
            await page.click("button[value=yes]")
            await page.wait_for_url(re.compile(r".*/loket/login$"))
            await page.goto(f"{site.base_url}/loket/")
            assert "/loket/login" in page.url


async def test_a_loket_member_sees_no_monitoring(tmp_path: Path) -> None:
    async with sign_on_site(tmp_path) as site, browser_page(viewport=PHONE) as page:
        await page.goto(f"{site.base_url}/loket/login")
        await screenshot(page, "sign-on-login-390")
        await page.get_by_test_id("sign-on").click()
        await at_the_provider(page, "anna")
        await page.wait_for_url(re.compile(r".*/loket/$"))
        await expect(page.locator(".staff-header .who")).to_have_text("Anna de Vries")
        await expect(page.locator("nav a[href='/loket/monitoring']")).to_have_count(0)


async def test_someone_without_the_group_gets_a_kind_page(tmp_path: Path) -> None:
    async with sign_on_site(tmp_path) as site:
        for name, viewport in (("390", PHONE), ("1366", DESKTOP)):
            async with browser_page(viewport=viewport) as page:
                await page.goto(f"{site.base_url}/loket/login")
                await page.get_by_test_id("sign-on").click()
                await at_the_provider(page, "bert")
                refused = page.get_by_test_id("sign-on-refused")
                await expect(refused).to_contain_text(
                    "Vraag de beheerder om toegang tot Signaalpunt"
                )
                await expect(page.get_by_test_id("sign-in-again")).to_be_visible()
                assert await serious_violations(page) == []
                await screenshot(page, f"sign-on-refused-{name}")


async def test_with_password_sign_in_off_the_login_page_has_only_the_button(
    tmp_path: Path,
) -> None:
    async with sign_on_site(tmp_path, password_sign_in=False, break_glass_admin="nood") as site:
        for name, viewport in (("390", PHONE), ("1366", DESKTOP)):
            async with browser_page(viewport=viewport) as page:
                await page.goto(f"{site.base_url}/loket/login")
                await expect(page.get_by_test_id("sign-on")).to_be_visible()
                await expect(page.get_by_test_id("password-form")).to_have_count(0)
                assert await serious_violations(page) == []
                await screenshot(page, f"sign-on-password-off-{name}")
                await page.goto(f"{site.base_url}/loket/login?noodtoegang")
                await expect(page.get_by_test_id("password-form")).to_be_visible()
                await screenshot(page, f"sign-on-break-glass-{name}")
