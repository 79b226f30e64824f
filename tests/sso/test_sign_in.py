"""A complete sign-in against the real provider: our relying party → authorize → the
provider's login and consent → callback → tokens → an identity with the mapped role."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import httpx
from joserfc import jws

from bot.sso.logins import MemoryPendingLogins
from bot.sso.relying_party import LoginStart, RelyingParty, SignedIn
from tests.sso.conftest import REDIRECT_URL, client_for
from tests.support.net import free_port
from tests.support.oidc_browser import sign_in
from tests.support.oidc_process import CLIENT_ID, RunningProvider, oidc_provider, signing_key


def now() -> datetime:
    """The provider dates its tokens by the wall clock; so does the relying party here."""
    return datetime.now(UTC)


async def test_a_loket_member_signs_in(
    rp: RelyingParty, provider: RunningProvider, browser: httpx.AsyncClient
) -> None:
    start = await rp.begin(now(), return_to="/loket/signalen?filter=open")
    assert isinstance(start, LoginStart)
    query = parse_qs(urlsplit(start.url).query)
    assert query["response_type"] == ["code"]
    assert query["client_id"] == [CLIENT_ID]
    assert query["redirect_uri"] == [REDIRECT_URL]
    assert query["code_challenge_method"] == ["S256"]
    assert query["state"] == [start.state]
    assert len(query["nonce"][0]) >= 32
    assert "code_verifier" not in query
    callback = await sign_in(browser, start.url, REDIRECT_URL, "anna")
    assert callback["iss"] == provider.issuer  # RFC 9207
    outcome, go_to = await rp.complete(callback, start.binding, now())
    assert isinstance(outcome, SignedIn)
    assert (outcome.subject, outcome.issuer) == ("anna", provider.issuer)
    assert outcome.display_name == "Anna de Vries"
    assert outcome.email == "anna@terneuzen.test"
    assert (outcome.role, outcome.roles) == ("loket", ("loket",))
    assert go_to == "/loket/signalen?filter=open"


async def test_the_highest_mapped_role_wins(rp: RelyingParty, browser: httpx.AsyncClient) -> None:
    start = await rp.begin(now())
    assert isinstance(start, LoginStart)
    callback = await sign_in(browser, start.url, REDIRECT_URL, "rick")
    outcome, _ = await rp.complete(callback, start.binding, now())
    assert isinstance(outcome, SignedIn)
    assert (outcome.role, outcome.roles) == ("regisseur", ("loket", "regisseur"))


async def test_keys_rotated_at_the_provider_are_fetched_again(
    tmp_path: Path, http: httpx.AsyncClient, browser: httpx.AsyncClient
) -> None:
    old, new = signing_key("key-1"), signing_key("key-2")
    port = free_port()
    rp: RelyingParty | None = None
    kids = []
    for keys, later in (([old], timedelta(0)), ([new, old], timedelta(minutes=1))):
        async with oidc_provider(tmp_path, REDIRECT_URL, keys=keys, proxy_port=port) as running:
            rp = rp or RelyingParty(client_for(running.issuer), http, MemoryPendingLogins())
            start = await rp.begin(now() + later)
            assert isinstance(start, LoginStart)
            callback = await sign_in(browser, start.url, REDIRECT_URL, "anna")
            outcome, _ = await rp.complete(callback, start.binding, now() + later)
            assert isinstance(outcome, SignedIn)
            kids.append(jws.extract_compact(outcome.id_token.encode()).protected["kid"])
    # The second token names a key the relying party had not seen: it fetched the set again.
    assert kids == ["key-1", "key-2"]


async def test_groups_only_in_userinfo_are_read_there(
    tmp_path: Path, http: httpx.AsyncClient, browser: httpx.AsyncClient
) -> None:
    async with oidc_provider(tmp_path, REDIRECT_URL, conform_id_token_claims=True) as running:
        rp = RelyingParty(client_for(running.issuer), http, MemoryPendingLogins())
        start = await rp.begin(now())
        assert isinstance(start, LoginStart)
        callback = await sign_in(browser, start.url, REDIRECT_URL, "rick")
        outcome, _ = await rp.complete(callback, start.binding, now())
        id_claims = json.loads(jws.extract_compact(running.proxy.seen[-1].encode()).payload)
    assert "groups" not in id_claims
    assert isinstance(outcome, SignedIn)
    assert (outcome.role, outcome.display_name) == ("regisseur", "Rick Regie")


async def test_signing_out_ends_the_provider_session_too(
    rp: RelyingParty, provider: RunningProvider, browser: httpx.AsyncClient
) -> None:
    start = await rp.begin(now())
    assert isinstance(start, LoginStart)
    outcome, _ = await rp.complete(
        await sign_in(browser, start.url, REDIRECT_URL, "anna"), start.binding, now()
    )
    assert isinstance(outcome, SignedIn)
    after = REDIRECT_URL.rsplit("/", 1)[0] + "/"
    url = await rp.logout_url(outcome.id_token, after, now())
    assert url is not None
    assert url.startswith(provider.issuer + "/session/end?")
    # The provider shows its "sign out?" page for the hint it accepts.
    page = await browser.get(url)
    assert page.status_code == 200
    assert "logout" in page.text.lower()
