"""What the relying party refuses, each against the real provider: tokens are the
provider's own, or changed on their way by the proxy at the network boundary."""

from __future__ import annotations

import base64
import json
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from joserfc import jws, jwt
from joserfc.jwk import OctKey, RSAKey

from bot.sso.logins import MemoryPendingLogins
from bot.sso.relying_party import LoginStart, Refused, RelyingParty, SignedIn
from tests.sso.conftest import REDIRECT_URL, client_for
from tests.support.net import free_port
from tests.support.oidc_browser import sign_in
from tests.support.oidc_process import (
    CLIENT_SECRET,
    OTHER_CLIENT_ID,
    RunningProvider,
    oidc_provider,
    signing_key,
)


def now() -> datetime:
    return datetime.now(UTC)


async def start(rp: RelyingParty, at: datetime | None = None) -> LoginStart:
    begun = await rp.begin(at or now())
    assert isinstance(begun, LoginStart)
    return begun


async def attempt(
    rp: RelyingParty, browser: httpx.AsyncClient, login: str = "anna", at: datetime | None = None
) -> SignedIn | Refused:
    begun = await start(rp, at)
    callback = await sign_in(browser, begun.url, REDIRECT_URL, login)
    outcome, _ = await rp.complete(callback, begun.binding, at or now())
    return outcome


def claims_of(token: str) -> dict[str, Any]:
    payload: dict[str, Any] = json.loads(jws.extract_compact(token.encode()).payload)
    return payload


def resigned(key: Any, header: dict[str, Any]) -> Callable[[str], str]:
    """The provider's token with its claims intact, signed by someone else."""
    return lambda token: jwt.encode(header, claims_of(token), key, algorithms=[header["alg"]])


def unsigned(token: str) -> str:
    def part(data: dict[str, Any]) -> str:
        return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()

    return f"{part({'alg': 'none', 'kid': 'key-1'})}.{part(claims_of(token))}."


ATTACKER = RSAKey.generate_key(2048)


@pytest.mark.parametrize(
    "forge",
    [
        pytest.param(resigned(ATTACKER, {"alg": "RS256", "kid": "attacker"}), id="unknown-key"),
        pytest.param(resigned(ATTACKER, {"alg": "RS256", "kid": "key-1"}), id="known-kid"),
        pytest.param(
            resigned(OctKey.import_key(CLIENT_SECRET), {"alg": "HS256", "kid": "key-1"}),
            id="hmac-with-client-secret",
        ),
        pytest.param(unsigned, id="alg-none"),
        pytest.param(lambda token: token[:-8] + "AAAAAAAA", id="signature-bytes"),
    ],
)
async def test_a_bad_signature_is_refused(
    rp: RelyingParty,
    provider: RunningProvider,
    browser: httpx.AsyncClient,
    forge: Callable[[str], str],
) -> None:
    provider.proxy.replacements.append(forge)
    outcome = await attempt(rp, browser)
    assert outcome == Refused("bad_signature")


class NonceFrom:
    """Randomness for a relying party whose nonce (the second value) is chosen."""

    def __init__(self, nonce: str) -> None:
        self._values: Iterator[str] = iter(["state-x", nonce, "verifier-" + "v" * 40, "b-x"])

    def __call__(self, size: int) -> str:
        return next(self._values)


async def test_a_token_for_another_app_is_refused(
    rp: RelyingParty,
    provider: RunningProvider,
    http: httpx.AsyncClient,
    browser: httpx.AsyncClient,
) -> None:
    """Token substitution: a genuine token of the same provider and person, with our
    nonce even, but issued to another application."""
    ours = await start(rp)
    nonce = dict(part.split("=", 1) for part in ours.url.split("?", 1)[1].split("&"))["nonce"]
    other = RelyingParty(
        client_for(provider.issuer, client_id=OTHER_CLIENT_ID),
        http,
        MemoryPendingLogins(),
        random=NonceFrom(nonce),
    )
    assert isinstance(await attempt(other, browser), SignedIn)
    foreign = provider.proxy.seen[-1]
    assert claims_of(foreign)["aud"] == OTHER_CLIENT_ID
    assert claims_of(foreign)["nonce"] == nonce
    provider.proxy.replacements.append(lambda _: foreign)
    callback = await sign_in(browser, ours.url, REDIRECT_URL, "anna")
    outcome, _ = await rp.complete(callback, ours.binding, now())
    assert outcome == Refused("wrong_audience")


async def test_a_token_of_another_login_is_refused_by_its_nonce(
    rp: RelyingParty, provider: RunningProvider, browser: httpx.AsyncClient
) -> None:
    assert isinstance(await attempt(rp, browser), SignedIn)
    earlier = provider.proxy.seen[-1]
    provider.proxy.replacements.append(lambda _: earlier)
    assert await attempt(rp, browser) == Refused("nonce_mismatch")


async def test_an_expired_token_is_refused(rp: RelyingParty, browser: httpx.AsyncClient) -> None:
    # The provider's ID tokens live an hour; this relying party's clock is two hours on.
    assert await attempt(rp, browser, at=now() + timedelta(hours=2)) == Refused("expired")


async def test_a_token_from_the_future_is_refused(
    rp: RelyingParty, browser: httpx.AsyncClient
) -> None:
    assert await attempt(rp, browser, at=now() - timedelta(minutes=10)) == Refused("not_yet_valid")


async def test_someone_without_a_mapped_group_is_refused(
    rp: RelyingParty, browser: httpx.AsyncClient
) -> None:
    assert await attempt(rp, browser, login="bert") == Refused("no_role")


async def test_a_state_is_used_once_in_the_browser_that_began_it(
    rp: RelyingParty, browser: httpx.AsyncClient
) -> None:
    begun = await start(rp)
    callback = await sign_in(browser, begun.url, REDIRECT_URL, "anna")
    first, _ = await rp.complete(callback, begun.binding, now())
    assert isinstance(first, SignedIn)
    replayed, go_to = await rp.complete(callback, begun.binding, now())
    assert replayed == Refused("state_unknown_or_replayed")
    assert go_to == "/"
    # A state carried to another browser (a login CSRF) is refused and used up.
    other = await start(rp)
    callback = await sign_in(browser, other.url, REDIRECT_URL, "anna")
    assert (await rp.complete(callback, "another browser's cookie", now()))[0] == Refused(
        "wrong_browser"
    )
    assert (await rp.complete(callback, other.binding, now()))[0] == Refused(
        "state_unknown_or_replayed"
    )
    assert (await rp.complete({"code": "x"}, None, now()))[0] == Refused(
        "state_unknown_or_replayed"
    )


async def test_a_login_left_too_long_is_refused(
    rp: RelyingParty, browser: httpx.AsyncClient
) -> None:
    begun = await start(rp)
    callback = await sign_in(browser, begun.url, REDIRECT_URL, "anna")
    late = now() + timedelta(minutes=11)
    assert (await rp.complete(callback, begun.binding, late))[0] == Refused("state_expired")


async def test_an_answer_from_another_issuer_is_refused(
    rp: RelyingParty, provider: RunningProvider, http: httpx.AsyncClient, browser: httpx.AsyncClient
) -> None:
    # RFC 9207: the callback names its issuer (a mix-up between providers is caught).
    begun = await start(rp)
    callback = await sign_in(browser, begun.url, REDIRECT_URL, "anna")
    callback["iss"] = "https://login.example.test/other-tenant"
    assert (await rp.complete(callback, begun.binding, now()))[0] == Refused(
        "wrong_issuer", "authorization response"
    )
    # A provider whose discovery document names another issuer is not used at all.
    port = provider.issuer.rsplit(":", 1)[1]
    misnamed = RelyingParty(client_for(f"http://localhost:{port}"), http, MemoryPendingLogins())
    assert await misnamed.begin(now()) == Refused(
        "wrong_issuer", "the discovery document names another issuer"
    )


async def test_a_token_signed_with_the_right_keys_for_another_tenant_is_refused(
    tmp_path: Path, http: httpx.AsyncClient, browser: httpx.AsyncClient
) -> None:
    """Entra ID signs every tenant's tokens with the same keys: only ``iss`` tells them
    apart. A second provider with our provider's keys but its own issuer plays the other
    tenant."""
    keys = [signing_key("shared")]
    async with (
        oidc_provider(tmp_path / "a", REDIRECT_URL, keys=keys) as ours,
        oidc_provider(tmp_path / "b", REDIRECT_URL, keys=keys) as theirs,
    ):
        rp = RelyingParty(client_for(ours.issuer), http, MemoryPendingLogins())
        begun = await start(rp)
        nonce = begun.url.split("nonce=", 1)[1].split("&", 1)[0]
        tenant = RelyingParty(
            client_for(theirs.issuer), http, MemoryPendingLogins(), random=NonceFrom(nonce)
        )
        assert isinstance(await attempt(tenant, browser), SignedIn)
        foreign = theirs.proxy.seen[-1]
        ours.proxy.replacements.append(lambda _: foreign)
        callback = await sign_in(browser, begun.url, REDIRECT_URL, "anna")
        outcome, _ = await rp.complete(callback, begun.binding, now())
    assert outcome == Refused("wrong_issuer")


async def test_an_unreachable_provider_is_a_refusal_not_an_error(
    http: httpx.AsyncClient,
) -> None:
    rp = RelyingParty(client_for(f"http://127.0.0.1:{free_port()}"), http, MemoryPendingLogins())
    outcome = await rp.begin(now())
    assert isinstance(outcome, Refused)
    assert outcome.reason == "provider_unreachable"
