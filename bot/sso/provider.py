"""The provider as the relying party sees it: its discovery document and its signing keys.

Both are fetched over the caller's httpx client and kept for ``metadata_ttl``. A token that
names a key we do not have makes us fetch the keys again (the provider rotated them), but at
most once per ``keys_min_refresh``, so a flood of made-up key ids cannot make us hammer it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import httpx
from joserfc.jwk import Key, KeySet

# Asymmetric only: "none" and HMAC (keyed with the public client secret) are never accepted.
SIGNING_ALGORITHMS = frozenset(
    {"RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "EdDSA"}
)


class ProviderError(Exception):
    """The provider could not be used; ``reason`` is a refusal reason."""

    def __init__(self, reason: str, detail: str = "") -> None:
        super().__init__(f"{reason}: {detail}" if detail else reason)
        self.reason = reason
        self.detail = detail


@dataclass(frozen=True)
class Metadata:
    issuer: str
    authorization_endpoint: str
    token_endpoint: str
    jwks_uri: str
    userinfo_endpoint: str | None
    end_session_endpoint: str | None
    token_auth_methods: tuple[str, ...]
    algorithms: frozenset[str]


class Provider:
    def __init__(
        self,
        issuer: str,
        http: httpx.AsyncClient,
        *,
        metadata_ttl: timedelta = timedelta(hours=1),
        keys_min_refresh: timedelta = timedelta(seconds=30),
    ) -> None:
        self.issuer = issuer
        self._http = http
        self._ttl = metadata_ttl
        self._min_refresh = keys_min_refresh
        self._metadata: tuple[Metadata, datetime] | None = None
        self._keys: tuple[KeySet, datetime] | None = None

    async def metadata(self, now: datetime) -> Metadata:
        if self._metadata is None or now - self._metadata[1] > self._ttl:
            self._metadata = (await self._discover(), now)
        return self._metadata[0]

    async def key(self, kid: str | None, alg: str, now: datetime) -> Key | None:
        """The signing key ``kid``; None when the provider does not publish it."""
        if self._keys is None or now - self._keys[1] > self._ttl:
            self._keys = (await self._fetch_keys(now), now)
        found = _pick(self._keys[0], kid, alg)
        if found is None and now - self._keys[1] >= self._min_refresh:
            self._keys = (await self._fetch_keys(now), now)
            found = _pick(self._keys[0], kid, alg)
        return found

    async def get_json(self, url: str, **kwargs: Any) -> dict[str, Any]:
        try:
            response = await self._http.get(url, **kwargs)
        except httpx.HTTPError as error:
            raise ProviderError("provider_unreachable", type(error).__name__) from error
        return _json(response)

    async def _discover(self) -> Metadata:
        url = self.issuer.rstrip("/") + "/.well-known/openid-configuration"
        document = await self.get_json(url)
        # OpenID Connect Discovery 4.3: the document is the issuer's own, exactly.
        if document.get("issuer") != self.issuer:
            raise ProviderError("wrong_issuer", "the discovery document names another issuer")
        try:
            methods = document.get("code_challenge_methods_supported")
            if methods is not None and "S256" not in methods:
                raise ProviderError("provider_misconfigured", "no PKCE with S256")
            algorithms = document.get("id_token_signing_alg_values_supported") or ["RS256"]
            return Metadata(
                issuer=document["issuer"],
                authorization_endpoint=str(document["authorization_endpoint"]),
                token_endpoint=str(document["token_endpoint"]),
                jwks_uri=str(document["jwks_uri"]),
                userinfo_endpoint=document.get("userinfo_endpoint"),
                end_session_endpoint=document.get("end_session_endpoint"),
                token_auth_methods=tuple(
                    document.get("token_endpoint_auth_methods_supported") or ["client_secret_basic"]
                ),
                algorithms=frozenset(algorithms) & SIGNING_ALGORITHMS,
            )
        except (KeyError, TypeError) as error:
            raise ProviderError("provider_misconfigured", f"discovery: {error}") from error

    async def _fetch_keys(self, now: datetime) -> KeySet:
        metadata = await self.metadata(now)
        document = await self.get_json(metadata.jwks_uri)
        try:
            signing = [k for k in document["keys"] if k.get("use", "sig") == "sig"]
            return KeySet.import_key_set({"keys": signing})
        except (KeyError, TypeError, ValueError) as error:
            raise ProviderError("provider_misconfigured", "the key set") from error


def _pick(keys: KeySet, kid: str | None, alg: str) -> Key | None:
    candidates = [k for k in keys.keys if kid is None or k.kid == kid]
    candidates = [k for k in candidates if k.get("alg") in (None, alg)]
    # Without a kid only an unambiguous key will do.
    return candidates[0] if len(candidates) == 1 or (kid and candidates) else None


def _json(response: httpx.Response) -> dict[str, Any]:
    if response.status_code >= 500:
        raise ProviderError("provider_unreachable", f"HTTP {response.status_code}")
    if response.status_code != 200:
        raise ProviderError("provider_misconfigured", f"HTTP {response.status_code}")
    try:
        document = response.json()
    except ValueError as error:
        raise ProviderError("provider_misconfigured", "not JSON") from error
    if not isinstance(document, dict):
        raise ProviderError("provider_misconfigured", "not a JSON object")
    return document
