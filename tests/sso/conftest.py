"""The sign-in tests: a real OpenID provider on loopback, our relying party, a browser."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest

from bot.sso.logins import MemoryPendingLogins
from bot.sso.relying_party import OidcClient, RelyingParty
from tests.support.oidc_process import (
    CLIENT_ID,
    CLIENT_SECRET,
    GROUPS,
    RunningProvider,
    oidc_provider,
)

# Where the provider sends the browser back; the browser stops there, nothing listens.
REDIRECT_URL = "http://127.0.0.1:9/loket/sso/callback"
ROLES = ("loket", "regisseur", "admin")


def client_for(issuer: str, **changes: object) -> OidcClient:
    values: dict[str, object] = {
        "issuer": issuer,
        "client_id": CLIENT_ID,
        "client_secret": CLIENT_SECRET,
        "redirect_url": REDIRECT_URL,
        "role_map": tuple(GROUPS.items()),
        "roles": ROLES,
        "scopes": "openid profile email groups",
    }
    values.update(changes)
    return OidcClient(**values)  # type: ignore[arg-type]


@pytest.fixture
async def provider(tmp_path: Path) -> AsyncIterator[RunningProvider]:
    async with oidc_provider(tmp_path, REDIRECT_URL) as running:
        yield running


@pytest.fixture
async def http() -> AsyncIterator[httpx.AsyncClient]:
    """The service's client for the provider (discovery, keys, token, userinfo)."""
    async with httpx.AsyncClient(timeout=10) as client:
        yield client


@pytest.fixture
async def browser() -> AsyncIterator[httpx.AsyncClient]:
    """The staff member's browser (its own cookies)."""
    async with httpx.AsyncClient(timeout=10) as client:
        yield client


@pytest.fixture
def rp(provider: RunningProvider, http: httpx.AsyncClient) -> RelyingParty:
    return RelyingParty(client_for(provider.issuer), http, MemoryPendingLogins())
