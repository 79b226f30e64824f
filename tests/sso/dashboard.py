"""The dashboard with single sign-on against the real provider on loopback: the provider
is started first with the dashboard's redirect URL, then the web service on that port."""

from __future__ import annotations

import contextlib
import re
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import select

from bot.app import App
from storage.models import AuditEntry
from tests.support.net import free_port
from tests.support.oidc_browser import sign_in
from tests.support.oidc_process import CLIENT_ID, CLIENT_SECRET, RunningProvider, oidc_provider
from tests.support.telegram_harness import Clock
from tests.support.web_harness import WebService, web_service

ROLE_MAP = "loket=GRP-Loket,regisseur=GRP-Regie,admin=GRP-Admin"
ORGANISATION = "Gemeente Terneuzen"


@dataclass
class SignOnSite:
    provider: RunningProvider
    web: WebService
    redirect_url: str

    @property
    def base_url(self) -> str:
        return self.web.base_url


def wall_clock() -> Clock:
    """The provider dates its tokens by the wall clock; the dashboard's clock starts there
    (a test moves it on to see what a late or early token gets)."""
    return Clock(datetime.now(UTC))


@contextlib.asynccontextmanager
async def sign_on_site(tmp_path: Path, **extra: Any) -> AsyncIterator[SignOnSite]:
    port = free_port()
    redirect_url = f"http://127.0.0.1:{port}/loket/sso/callback"
    async with oidc_provider(tmp_path / "provider", redirect_url) as provider:
        settings: dict[str, Any] = {
            "oidc_issuer": provider.issuer,
            "oidc_client_id": CLIENT_ID,
            "oidc_client_secret": CLIENT_SECRET,
            "oidc_redirect_url": redirect_url,
            "oidc_role_map": ROLE_MAP,
            "oidc_scopes": "openid profile email groups",
            "oidc_name": ORGANISATION,
        }
        async with web_service(
            tmp_path / "web", clock=wall_clock(), port=port, **(settings | extra)
        ) as web:
            yield SignOnSite(provider, web, redirect_url)


async def sso_callback(
    site: SignOnSite, browser: httpx.AsyncClient, login: str, next_path: str = ""
) -> str:
    """Through the dashboard's sign-on button and the provider's pages as ``login``: the
    callback URL the provider sends the browser to (not yet followed)."""
    started = await browser.get(
        f"{site.base_url}/loket/sso/login" + (f"?next={next_path}" if next_path else "")
    )
    assert started.status_code == 303, started.text
    query = await sign_in(browser, started.headers["location"], site.redirect_url, login)
    return str(httpx.URL(site.redirect_url, params=query))


async def signed_on(site: SignOnSite, browser: httpx.AsyncClient, login: str) -> httpx.Response:
    """The answer of the dashboard's callback for ``login``."""
    return await browser.get(await sso_callback(site, browser, login))


CSRF = re.compile(r'name="csrf" value="([^"]+)"')


async def audit(app: App, action: str) -> list[tuple[str, str]]:
    """(actor, outcome) of every entry of ``action`` in the access history, oldest first."""
    async with app.store.unit_of_work() as uow:
        rows = await uow.session.execute(
            select(AuditEntry.actor, AuditEntry.outcome)
            .where(AuditEntry.action == action)
            .order_by(AuditEntry.id)
        )
        return [(str(actor), str(outcome)) for actor, outcome in rows]
