"""Single sign-on through the dashboard, against the real provider on loopback: the staff
record made at the first sign-in with the mapped role, refusals as friendly pages (a bad
signature, the wrong audience, an expired token, a missing group, a replayed state),
deactivation when the group is gone, password sign-in off but for the break-glass admin,
and logout at the provider too."""

from __future__ import annotations

import html
import logging
import re
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from joserfc import jwt
from joserfc.jwk import RSAKey

from bot.dashboard.sign_on import sso_account
from core.lifecycle.parties import Account
from tests.sso.dashboard import (
    CSRF,
    ORGANISATION,
    SignOnSite,
    audit,
    sign_on_site,
    signed_on,
    sso_callback,
)
from tests.sso.test_refusals import ATTACKER, claims_of, resigned
from tests.support.oidc_process import OTHER_CLIENT_ID
from tests.support.web_harness import add_web_staff, post_login

ASK_FOR_ACCESS = "Vraag de beheerder om toegang tot Signaalpunt"


@pytest.fixture
async def site(tmp_path: Path) -> SignOnSite:  # type: ignore[misc]
    async with sign_on_site(tmp_path) as running:
        yield running


@pytest.fixture
async def browser(site: SignOnSite) -> httpx.AsyncClient:  # type: ignore[misc]
    async with httpx.AsyncClient(base_url=site.base_url, timeout=10) as client:
        yield client


async def test_the_first_sign_in_makes_the_staff_member_with_the_mapped_role(
    site: SignOnSite, browser: httpx.AsyncClient, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    login_page = await browser.get("/loket/login")
    assert f"Inloggen met {ORGANISATION}" in login_page.text
    assert 'href="/loket/sso/login?next=/loket/"' in login_page.text
    assert 'name="password"' in login_page.text  # password sign-in is on by default

    done = await signed_on(site, browser, "rick")
    assert done.status_code == 200
    assert 'http-equiv="refresh" content="0;url=/loket/"' in done.text
    signals = await browser.get("/loket/")
    assert signals.status_code == 200
    assert "Rick Regie" in signals.text
    assert 'href="/loket/monitoring"' in signals.text  # a regisseur's menu
    assert (await browser.get("/loket/monitoring")).status_code == 200

    app = site.web.app
    async with app.store.unit_of_work() as uow:
        staff_id = await uow.staff_of(Account("sso", sso_account(site.provider.issuer, "rick")))
        assert staff_id is not None
        staff = await uow.staff.get(staff_id)
    assert staff is not None
    assert (staff.display_name, staff.role, staff.active) == ("Rick Regie", "regisseur", True)
    assert await audit(app, "sso_login") == [(f"staff:{staff_id}", "ok:new")]
    # No token in any log line (the ID token, the code, the state).
    token = site.provider.proxy.seen[-1]
    logged = "\n".join(record.getMessage() + str(record.__dict__) for record in caplog.records)
    assert token not in logged
    assert token.split(".")[2] not in logged


async def test_a_loket_member_does_not_see_what_a_regisseur_sees(
    site: SignOnSite, browser: httpx.AsyncClient
) -> None:
    assert (await signed_on(site, browser, "anna")).status_code == 200
    signals = await browser.get("/loket/")
    assert "Anna de Vries" in signals.text
    assert 'href="/loket/monitoring"' not in signals.text
    assert (await browser.get("/loket/monitoring")).status_code == 403


async def refused(
    site: SignOnSite, browser: httpx.AsyncClient, login: str = "anna"
) -> httpx.Response:
    answer = await signed_on(site, browser, login)
    assert "signaalpunt_loket" not in answer.cookies
    assert (await browser.get("/loket/", follow_redirects=False)).status_code == 303
    assert "Traceback" not in answer.text
    assert 'data-testid="sign-in-again"' in answer.text
    return answer


def own_key(site: SignOnSite) -> RSAKey:
    return RSAKey.import_key(site.provider.keys[0])


async def test_a_bad_signature_is_refused(site: SignOnSite, browser: httpx.AsyncClient) -> None:
    site.provider.proxy.replacements.append(resigned(ATTACKER, {"alg": "RS256", "kid": "key-1"}))
    answer = await refused(site, browser)
    assert answer.status_code == 403
    assert "We konden niet controleren wie je bent." in answer.text
    assert await audit(site.web.app, "sso_login") == [("web", "refused:bad_signature")]


async def test_the_wrong_audience_is_refused(site: SignOnSite, browser: httpx.AsyncClient) -> None:
    """Signed by the provider itself, but for another application."""

    def other_app(token: str) -> str:
        claims = claims_of(token) | {"aud": OTHER_CLIENT_ID}
        return jwt.encode({"alg": "RS256", "kid": "key-1"}, claims, own_key(site))

    site.provider.proxy.replacements.append(other_app)
    answer = await refused(site, browser)
    assert answer.status_code == 403
    assert await audit(site.web.app, "sso_login") == [("web", "refused:wrong_audience")]


async def test_an_expired_token_is_refused(site: SignOnSite, browser: httpx.AsyncClient) -> None:
    site.web.clock.advance(hours=2)  # the provider's ID tokens live an hour
    answer = await refused(site, browser)
    assert answer.status_code == 403
    assert await audit(site.web.app, "sso_login") == [("web", "refused:expired")]


async def test_someone_without_a_mapped_group_is_refused_kindly(
    site: SignOnSite, browser: httpx.AsyncClient
) -> None:
    answer = await refused(site, browser, "bert")
    assert answer.status_code == 403
    assert ASK_FOR_ACCESS in answer.text
    assert await audit(site.web.app, "sso_login") == [("web", "refused:no_role")]
    async with site.web.app.store.unit_of_work() as uow:
        account = Account("sso", sso_account(site.provider.issuer, "bert"))
        assert await uow.staff_of(account) is None  # nobody is made for a refusal


async def test_a_replayed_state_is_refused(site: SignOnSite, browser: httpx.AsyncClient) -> None:
    callback = await sso_callback(site, browser, "anna")
    assert (await browser.get(callback)).status_code == 200
    # The same answer again, in this browser and in another.
    again = await browser.get(callback)
    assert again.status_code == 400
    assert "Deze inlogpoging is verlopen of al gebruikt." in again.text
    async with httpx.AsyncClient(timeout=10) as other:
        elsewhere = await other.get(callback)
    assert elsewhere.status_code == 400
    outcomes = await audit(site.web.app, "sso_login")
    assert [outcome for _, outcome in outcomes] == [
        "ok:new",
        "refused:state_replayed",
        "refused:state_replayed",
    ]
    assert outcomes[0][0].startswith("staff:")


async def test_a_callback_from_another_browser_is_refused(
    site: SignOnSite, browser: httpx.AsyncClient
) -> None:
    """Login CSRF: an attacker's own callback URL, opened in a staff member's browser."""
    callback = await sso_callback(site, browser, "anna")
    async with httpx.AsyncClient(timeout=10) as victim:
        answer = await victim.get(callback)
    assert answer.status_code == 400
    assert "signaalpunt_loket" not in answer.cookies
    assert await audit(site.web.app, "sso_login") == [("web", "refused:wrong_browser")]


async def test_the_staff_member_is_deactivated_when_the_group_is_gone(
    site: SignOnSite, browser: httpx.AsyncClient
) -> None:
    assert (await signed_on(site, browser, "anna")).status_code == 200
    async with httpx.AsyncClient(base_url=site.base_url, timeout=10) as laptop:
        assert (await signed_on(site, laptop, "anna")).status_code == 200
        assert (await laptop.get("/loket/")).status_code == 200
        site.provider.set_groups("anna", ["GRP-Iedereen"])
        answer = await refused(site, browser)
        assert ASK_FOR_ACCESS in answer.text
        # Her other session ended with it.
        assert (await laptop.get("/loket/")).status_code == 303
    app = site.web.app
    account = Account("sso", sso_account(site.provider.issuer, "anna"))
    async with app.store.unit_of_work() as uow:
        staff_id = await uow.staff_of(account)
        assert staff_id is not None
        staff = await uow.staff.get(staff_id)
    assert staff is not None
    assert not staff.active
    assert await audit(app, "revoke") == [(f"staff:{staff_id}", "sso:no_group")]
    # The group back: active again, the same staff member.
    site.provider.set_groups("anna", ["GRP-Loket"])
    assert (await signed_on(site, browser, "anna")).status_code == 200
    assert (await browser.get("/loket/")).status_code == 200
    assert [outcome for _, outcome in await audit(app, "sso_login")] == [
        "ok:new",
        "ok:updated",
        "refused:no_role",
        "ok:reactivated",
    ]


async def test_the_role_follows_the_group_at_each_sign_in(
    site: SignOnSite, browser: httpx.AsyncClient
) -> None:
    assert (await signed_on(site, browser, "anna")).status_code == 200
    assert (await browser.get("/loket/monitoring")).status_code == 403
    site.provider.set_groups("anna", ["GRP-Loket", "GRP-Regie"])
    assert (await signed_on(site, browser, "anna")).status_code == 200
    assert (await browser.get("/loket/monitoring")).status_code == 200


async def test_logout_ends_the_session_and_the_providers(
    site: SignOnSite, browser: httpx.AsyncClient
) -> None:
    assert (await signed_on(site, browser, "anna")).status_code == 200
    page = await browser.get("/loket/")
    csrf = CSRF.search(page.text)
    assert csrf is not None
    out = await browser.post("/loket/logout", data={"csrf": csrf[1]})
    # A page that moves on to the provider (a redirect after a form may only stay here).
    assert out.status_code == 200
    assert f"ook uitgelogd bij {ORGANISATION}" in out.text
    found = re.search(r'http-equiv="refresh" content="0;url=([^"]+)"', out.text)
    assert found is not None
    end_session = urlsplit(html.unescape(found[1]))
    assert f"{end_session.scheme}://{end_session.netloc}" == site.provider.issuer
    query = parse_qs(end_session.query)
    assert query["post_logout_redirect_uri"] == [f"{site.base_url}/loket/login"]
    assert query["id_token_hint"] == [site.provider.proxy.seen[-1]]
    assert (await browser.get("/loket/")).status_code == 303
    [(who, _)] = await audit(site.web.app, "sso_login")
    assert await audit(site.web.app, "logout") == [(who, "ok")]


async def test_password_logout_stays_on_the_dashboard(site: SignOnSite) -> None:
    await add_web_staff(site.web.app, "karin")
    async with httpx.AsyncClient(base_url=site.base_url, timeout=10) as client:
        assert (await post_login(client, "karin")).status_code == 303
        csrf = CSRF.search((await client.get("/loket/")).text)
        assert csrf is not None
        out = await client.post("/loket/logout", data={"csrf": csrf[1]})
    assert out.headers["location"] == "/loket/login"


async def test_a_sign_in_cancelled_at_the_provider_is_a_kind_page(
    site: SignOnSite, browser: httpx.AsyncClient
) -> None:
    started = await browser.get("/loket/sso/login")
    state = parse_qs(urlsplit(started.headers["location"]).query)["state"][0]
    answer = await browser.get(
        "/loket/sso/callback",
        params={"error": "access_denied", "state": state, "iss": site.provider.issuer},
    )
    assert answer.status_code == 400
    assert f"Het inloggen bij {ORGANISATION} is afgebroken." in answer.text
    assert await audit(site.web.app, "sso_login") == [("web", "refused:provider_error")]


async def test_an_unreachable_provider_is_a_kind_page(tmp_path: Path) -> None:
    from tests.support.net import free_port
    from tests.support.web_harness import web_service

    settings: dict[str, Any] = {
        "oidc_issuer": f"http://127.0.0.1:{free_port()}",
        "oidc_client_id": "signaalpunt",
        "oidc_redirect_url": "http://127.0.0.1:9/loket/sso/callback",
        "oidc_role_map": "loket=GRP-Loket",
    }
    async with (
        web_service(tmp_path, **settings) as web,
        httpx.AsyncClient(base_url=web.base_url, timeout=10) as client,
    ):
        answer = await client.get("/loket/sso/login")
        assert answer.status_code == 503
        assert "De inlogdienst van je organisatie is nu niet bereikbaar." in answer.text
        assert "sp_sso" not in answer.cookies
        assert await audit(web.app, "sso_login") == [("web", "refused:provider_unreachable")]


async def test_sign_ons_are_counted_per_client(tmp_path: Path) -> None:
    """Every start writes a pending sign-on: one client cannot fill the table."""
    async with (
        sign_on_site(tmp_path, login_attempts_per_minute=2) as site,
        httpx.AsyncClient(base_url=site.base_url, timeout=10) as client,
    ):
        assert (await client.get("/loket/sso/login")).status_code == 303
        assert (await client.get("/loket/sso/login")).status_code == 303
        busy = await client.get("/loket/sso/login")
        assert busy.status_code == 429
        assert "Retry-After" in busy.headers
        assert "Inloggen is nu erg druk." in busy.text
