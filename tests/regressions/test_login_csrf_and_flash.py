"""The login form could be posted from any site (login CSRF: a staff member's browser
logged in as somebody else), and the flash cookie was unsigned: a cookie set from elsewhere
showed text an attacker chose on dashboard pages. Now the login needs the form's signed
token (and refuses a cross-site post), and a flash counts only with our signature."""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import quote

import httpx
import pytest

from tests.support.web_harness import PASSWORD, add_web_staff, post_login, web_service

pytestmark = pytest.mark.e2e

SESSION = "signaalpunt_loket"


async def test_a_login_posted_without_the_forms_token_is_refused(tmp_path: Path) -> None:
    async with web_service(tmp_path, run_outbox=False) as svc:
        await add_web_staff(svc.app, "anna")
        data = {"username": "anna", "password": PASSWORD, "next": "/loket/"}
        async with httpx.AsyncClient(base_url=svc.base_url) as forged:
            refused = await forged.post("/loket/login", data=data)
            assert refused.status_code == 403
            assert SESSION not in forged.cookies
            assert "formulier is verlopen" in refused.text
        async with httpx.AsyncClient(base_url=svc.base_url) as other_site:
            await other_site.get("/loket/login")  # a cookie, but a token of its own making
            forged_token = data | {"form_token": "x" * 64}
            assert (await other_site.post("/loket/login", data=forged_token)).status_code == 403
            page = await other_site.get("/loket/login")
            token = re.search(r'name="form_token" value="([^"]+)"', page.text)
            assert token is not None
            cross = await other_site.post(
                "/loket/login",
                data=data | {"form_token": token[1]},
                headers={"Sec-Fetch-Site": "cross-site"},
            )
            assert cross.status_code == 403
            assert SESSION not in other_site.cookies
        async with httpx.AsyncClient(base_url=svc.base_url) as browser:
            assert (await post_login(browser, "anna", PASSWORD, "/loket/")).status_code == 303
            assert SESSION in browser.cookies


async def test_a_flash_cookie_set_by_someone_else_shows_nothing(tmp_path: Path) -> None:
    planted = "Bel meteen 0900-1234 en geef je wachtwoord"
    async with web_service(tmp_path, run_outbox=False) as svc:
        await add_web_staff(svc.app, "anna")
        async with httpx.AsyncClient(base_url=svc.base_url) as browser:
            assert (await post_login(browser, "anna", PASSWORD, "/loket/")).status_code == 303
            for value in (quote(planted), f"{quote(planted)}.{'0' * 32}"):
                browser.cookies.set("signaalpunt_flash", value, path="/loket")
                page = await browser.get("/loket/")
                assert page.status_code == 200
                assert planted not in page.text
                assert 'data-testid="flash"' not in page.text
