"""Password sign-in switched off: the login page offers only single sign-on, and only the
break-glass administrator may still use a password (at /loket/login?noodtoegang)."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from tests.sso.dashboard import ORGANISATION, SignOnSite, audit, sign_on_site, signed_on
from tests.support.settings_problems import settings_problems
from tests.support.web_harness import FORM_TOKEN, PASSWORD, add_web_staff

WRONG = "De gebruikersnaam of het wachtwoord klopt niet."


@pytest.fixture
async def site(tmp_path: Path) -> SignOnSite:  # type: ignore[misc]
    async with sign_on_site(tmp_path, password_sign_in=False, break_glass_admin="nood") as running:
        await add_web_staff(running.web.app, "nood", role="admin", name="Noodbeheer")
        await add_web_staff(running.web.app, "karin", role="admin")
        yield running


async def password_login(
    client: httpx.AsyncClient, username: str, password: str = PASSWORD
) -> httpx.Response:
    page = await client.get("/loket/login?noodtoegang")
    token = FORM_TOKEN.search(page.text)
    assert token is not None
    data = {"username": username, "password": password, "next": "", "form_token": token[1]}
    return await client.post("/loket/login?noodtoegang", data=data)


async def test_the_login_page_offers_only_single_sign_on(site: SignOnSite) -> None:
    async with httpx.AsyncClient(base_url=site.base_url, timeout=10) as client:
        page = await client.get("/loket/login")
        assert f"Inloggen met {ORGANISATION}" in page.text
        assert 'name="password"' not in page.text
        assert "noodtoegang" not in page.text  # not advertised
        hidden = await client.get("/loket/login?noodtoegang")
        assert 'name="password"' in hidden.text
        assert "Noodtoegang" in hidden.text
        assert (await signed_on(site, client, "anna")).status_code == 200
        assert (await client.get("/loket/")).status_code == 200


async def test_only_the_break_glass_admin_signs_in_with_a_password(site: SignOnSite) -> None:
    async with httpx.AsyncClient(base_url=site.base_url, timeout=10) as client:
        other = await password_login(client, "karin")
        assert other.status_code == 401
        assert WRONG in other.text  # the same answer as a wrong password: no name given away
        assert 'name="password"' in other.text  # the form stays, with what was typed
        assert (await client.get("/loket/", follow_redirects=False)).status_code == 303
        wrong = await password_login(client, "nood", "not the password")
        assert wrong.status_code == 401
        ok = await password_login(client, "nood")
        assert ok.status_code == 303
        assert ok.headers["location"] == "/loket/"
        assert "Noodbeheer" in (await client.get("/loket/")).text
    outcomes = [outcome for _, outcome in await audit(site.web.app, "login")]
    assert outcomes == ["refused:password_off", "refused:credentials", "ok:break_glass"]


async def test_the_break_glass_account_must_be_an_admin(tmp_path: Path) -> None:
    async with sign_on_site(tmp_path, password_sign_in=False, break_glass_admin="nood") as site:
        await add_web_staff(site.web.app, "nood", role="loket")
        async with httpx.AsyncClient(base_url=site.base_url, timeout=10) as client:
            assert (await password_login(client, "nood")).status_code == 401


def test_password_sign_in_off_needs_sign_on_and_a_break_glass_admin(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from bot.settings import Settings

    no_sso = settings_problems(Settings, monkeypatch, password_sign_in="false")
    assert len(no_sso) == 1
    assert "SIGNAALPUNT_PASSWORD_SIGN_IN=false needs single sign-on" in no_sso[0]
    sso = {
        "oidc_issuer": "https://login.example.test/tenant/v2.0",
        "oidc_client_id": "signaalpunt",
        "oidc_redirect_url": "https://signaalpunt.example.test/loket/sso/callback",
        "oidc_role_map": "loket=GRP-Loket",
    }
    no_admin = settings_problems(Settings, monkeypatch, password_sign_in="false", **sso)
    assert len(no_admin) == 1
    assert "SIGNAALPUNT_BREAK_GLASS_ADMIN" in no_admin[0]
    assert "\n" not in no_admin[0]
    assert (
        settings_problems(
            Settings, monkeypatch, password_sign_in="false", break_glass_admin="nood", **sso
        )
        == []
    )
