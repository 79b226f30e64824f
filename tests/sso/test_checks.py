"""The ID token's claims (several audiences and azp, malformed tokens) and the settings,
checked without a provider: the keys are the test's own."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from joserfc import jwt
from joserfc.jwk import Key, RSAKey
from pydantic_settings import BaseSettings, SettingsConfigDict

from bot.sso.id_token import Checked, Expected, check_id_token
from bot.sso.settings import OidcSettings
from tests.sso.conftest import client_for
from tests.support.settings_problems import settings_problems

KEY = RSAKey.generate_key(2048, parameters={"kid": "k"})
NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
EXPECTED = Expected("https://idp.test", "signaalpunt", "n-1", frozenset({"RS256"}))


async def check(**claims: Any) -> Checked:
    values = {
        "iss": "https://idp.test",
        "aud": "signaalpunt",
        "sub": "s-1",
        "nonce": "n-1",
        "iat": int(NOW.timestamp()),
        "exp": int(NOW.timestamp()) + 300,
    }
    values.update(claims)
    token = jwt.encode(
        {"alg": "RS256", "kid": "k"}, {k: v for k, v in values.items() if v is not None}, KEY
    )

    async def key_for(kid: str | None, alg: str) -> Key | None:
        return KEY if kid == "k" else None

    return await check_id_token(token, EXPECTED, key_for, NOW)


@pytest.mark.parametrize(
    ("claims", "reason"),
    [
        ({}, ""),
        ({"aud": ["signaalpunt"]}, ""),
        ({"aud": ["signaalpunt", "graph"], "azp": "signaalpunt"}, ""),
        ({"aud": ["signaalpunt", "graph"]}, "wrong_audience"),
        ({"aud": ["signaalpunt", "graph"], "azp": "graph"}, "wrong_audience"),
        ({"azp": "another-app"}, "wrong_audience"),
        ({"aud": "another-app"}, "wrong_audience"),
        ({"iss": "https://idp.test/"}, "wrong_issuer"),
        ({"exp": int(NOW.timestamp()) - 61}, "expired"),
        ({"exp": int(NOW.timestamp()) - 30}, ""),  # within the leeway
        ({"iat": int(NOW.timestamp()) + 61}, "not_yet_valid"),
        ({"nonce": None}, "nonce_mismatch"),
        ({"sub": None}, "invalid_token"),
        ({"exp": "tomorrow"}, "invalid_token"),
    ],
)
async def test_claims(claims: dict[str, Any], reason: str) -> None:
    checked = await check(**claims)
    assert checked.reason == reason
    assert (checked.claims is not None) == (reason == "")


@pytest.mark.parametrize("token", ["", "x", "a.b.c", "e30.e30.", "not even base64!.x.y"])
async def test_garbage_is_refused_not_raised(token: str) -> None:
    async def no_key(kid: str | None, alg: str) -> Key | None:
        return None

    checked = await check_id_token(token, EXPECTED, no_key, NOW)
    assert checked.reason in {"invalid_token", "bad_signature"}


class Settings(BaseSettings, OidcSettings):
    model_config = SettingsConfigDict(env_prefix="SIGNAALPUNT_", env_file=None, extra="ignore")


def problems(monkeypatch: pytest.MonkeyPatch, **env: str) -> list[str]:
    return settings_problems(
        Settings, monkeypatch, **{f"oidc_{name}": value for name, value in env.items()}
    )


GOOD = {
    "issuer": "https://login.microsoftonline.com/3f2a/v2.0",
    "client_id": "0e8c",
    "client_secret": "s3cret",
    "redirect_url": "https://signaalpunt.terneuzen.nl/loket/sso/callback",
    "role_map": "loket=GRP-Loket, regisseur=GRP-Regie,admin=GRP-Admin,loket=GRP-Loket-Axel",
}


def test_good_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    assert problems(monkeypatch) == []  # no issuer: sign-on off
    assert problems(monkeypatch, **GOOD) == []
    assert Settings().role_map() == (
        ("loket", "GRP-Loket"),
        ("regisseur", "GRP-Regie"),
        ("admin", "GRP-Admin"),
        ("loket", "GRP-Loket-Axel"),
    )


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({"issuer": "http://idp.example.nl"}, "SIGNAALPUNT_OIDC_ISSUER: is the provider's issuer"),
        ({"issuer": "https://idp.nl/x?tenant=1"}, "SIGNAALPUNT_OIDC_ISSUER: is the provider's"),
        ({"redirect_url": "/loket/sso"}, "SIGNAALPUNT_OIDC_REDIRECT_URL: is where"),
        ({"role_map": "loket:GRP-Loket"}, "SIGNAALPUNT_OIDC_ROLE_MAP: is role=group pairs"),
        ({"role_map": ""}, "SIGNAALPUNT_OIDC_ROLE_MAP is required with SIGNAALPUNT_OIDC_ISSUER"),
        ({"client_id": ""}, "SIGNAALPUNT_OIDC_CLIENT_ID is required"),
        ({"scopes": "profile email"}, "SIGNAALPUNT_OIDC_SCOPES: includes openid"),
    ],
)
def test_wrong_settings_are_one_line(
    monkeypatch: pytest.MonkeyPatch, changes: dict[str, str], expected: str
) -> None:
    [problem] = problems(monkeypatch, **{**GOOD, **changes})
    assert problem.startswith(expected)
    assert "\n" not in problem


def test_a_role_the_service_does_not_know_is_refused_at_start() -> None:
    with pytest.raises(ValueError, match="unknown roles: boss"):
        client_for("https://idp.test", role_map=(("boss", "GRP-Boss"),))
