"""The relying party: ``begin`` sends a browser to the provider, ``complete`` handles its
return (the callback) and gives a ``SignedIn`` identity with its role, or a ``Refused``.

The caller sets ``LoginStart.binding`` as a short-lived cookie (HttpOnly, Secure,
SameSite=Lax: the provider's redirect back is a top-level GET, which Lax lets through) and
hands it back to ``complete``.
"""

from __future__ import annotations

import base64
import hashlib
import secrets
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import quote, urlencode

import httpx

from .id_token import Expected, check_id_token
from .logins import PendingLogin, PendingLogins, browser_hash, same_browser
from .provider import Metadata, Provider, ProviderError


@dataclass(frozen=True)
class OidcClient:
    """How we are registered at the provider, and what its groups mean here. ``roles`` run
    from fewest to most rights; a person in several mapped groups gets the highest."""

    issuer: str
    client_id: str
    client_secret: str | None
    redirect_url: str
    role_map: Sequence[tuple[str, str]]
    roles: Sequence[str]
    roles_claim: str = "groups"
    scopes: str = "openid profile email"
    login_ttl: timedelta = timedelta(minutes=10)
    leeway: timedelta = timedelta(seconds=60)

    def __post_init__(self) -> None:
        unknown = sorted({role for role, _ in self.role_map} - set(self.roles))
        if unknown:
            raise ValueError(
                f"SIGNAALPUNT_OIDC_ROLE_MAP names unknown roles: {', '.join(unknown)} "
                f"(known: {', '.join(self.roles)})"
            )


@dataclass(frozen=True)
class LoginStart:
    url: str
    binding: str
    state: str


@dataclass(frozen=True)
class SignedIn:
    subject: str
    issuer: str
    display_name: str
    email: str | None
    role: str
    roles: tuple[str, ...]
    id_token: str = field(repr=False)  # kept for the logout hint, never shown or logged


@dataclass(frozen=True)
class Refused:
    # provider_unreachable, provider_misconfigured, provider_error, wrong_issuer,
    # state_unknown_or_replayed, state_expired, wrong_browser, token_refused,
    # invalid_token, bad_signature, wrong_audience, expired, not_yet_valid,
    # nonce_mismatch, userinfo_mismatch, too_many_groups, no_role
    reason: str
    detail: str = ""
    # Who was refused, when the token was good (no_role, too_many_groups): the dashboard
    # deactivates a staff member whose group is gone. Not part of the reason.
    subject: str = field(default="", compare=False)
    issuer: str = field(default="", compare=False)


Random = Callable[[int], str]


class RelyingParty:
    def __init__(
        self,
        client: OidcClient,
        http: httpx.AsyncClient,
        logins: PendingLogins,
        *,
        random: Random = secrets.token_urlsafe,
    ) -> None:
        self.client = client
        self._http = http
        self._logins = logins
        self._random = random
        self.provider = Provider(client.issuer, http)

    async def begin(self, now: datetime, return_to: str = "/") -> LoginStart | Refused:
        if not return_to.startswith("/") or return_to.startswith("//"):
            return_to = "/"  # only a path on this site: no open redirect
        try:
            metadata = await self.provider.metadata(now)
        except ProviderError as error:
            return Refused(error.reason, error.detail)
        state, nonce, verifier, binding = (self._random(32) for _ in range(4))
        expires = now + self.client.login_ttl
        login = PendingLogin(state, nonce, verifier, browser_hash(binding), return_to, expires)
        await self._logins.put(login, now)
        params = {
            "response_type": "code",
            "client_id": self.client.client_id,
            "redirect_uri": self.client.redirect_url,
            "scope": self.client.scopes,
            "state": state,
            "nonce": nonce,
            "code_challenge": _challenge(verifier),
            "code_challenge_method": "S256",
        }
        endpoint = metadata.authorization_endpoint
        joiner = "&" if "?" in endpoint else "?"
        return LoginStart(f"{endpoint}{joiner}{urlencode(params)}", binding, state)

    async def complete(
        self, params: Mapping[str, str], binding: str | None, now: datetime
    ) -> tuple[SignedIn | Refused, str]:
        """The outcome of the callback with query ``params``, and where to go next."""
        login = await self._logins.take(params.get("state", ""))
        if login is None:
            return Refused("state_unknown_or_replayed"), "/"
        if login.expires_at <= now:
            return Refused("state_expired"), login.return_to
        if not same_browser(login, binding):
            return Refused("wrong_browser"), "/"
        try:
            outcome = await self._finish(login, params, now)
        except ProviderError as error:
            outcome = Refused(error.reason, error.detail)
        return outcome, login.return_to

    async def _finish(
        self, login: PendingLogin, params: Mapping[str, str], now: datetime
    ) -> SignedIn | Refused:
        metadata = await self.provider.metadata(now)
        # RFC 9207: the provider says who answers, so another provider's answer is refused.
        if "iss" in params and params["iss"] != metadata.issuer:
            return Refused("wrong_issuer", "authorization response")
        if "error" in params:
            return Refused("provider_error", params["error"][:100])
        if not params.get("code"):
            return Refused("provider_error", "no code")
        tokens = await self._exchange(metadata, params["code"], login.code_verifier)
        if isinstance(tokens, Refused):
            return tokens
        id_token = tokens.get("id_token")
        if not isinstance(id_token, str):
            return Refused("invalid_token", "no id_token")
        expected = Expected(
            metadata.issuer,
            self.client.client_id,
            login.nonce,
            metadata.algorithms,
            self.client.leeway,
        )
        checked = await check_id_token(
            id_token, expected, lambda kid, alg: self.provider.key(kid, alg, now), now
        )
        if checked.claims is None:
            return Refused(checked.reason)
        claims = checked.claims
        if _claim(claims, self.client.roles_claim) is None and metadata.userinfo_endpoint:
            access_token = tokens.get("access_token")
            if isinstance(access_token, str):
                userinfo = await self.provider.get_json(
                    metadata.userinfo_endpoint,
                    headers={"Authorization": f"Bearer {access_token}"},
                )
                # OpenID Connect Core 5.3.2: the answer must be about the same person.
                if userinfo.get("sub") != claims["sub"]:
                    return Refused("userinfo_mismatch")
                claims = {**userinfo, **claims}
        return self._identity(claims, id_token)

    async def _exchange(
        self, metadata: Metadata, code: str, verifier: str
    ) -> dict[str, Any] | Refused:
        form = {
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": self.client.redirect_url,
            "code_verifier": verifier,
        }
        headers = {"Accept": "application/json"}
        secret = self.client.client_secret
        if secret is not None and "client_secret_basic" in metadata.token_auth_methods:
            # RFC 6749 2.3.1: both parts form-encoded before Basic.
            pair = f"{quote(self.client.client_id, safe='')}:{quote(secret, safe='')}"
            headers["Authorization"] = "Basic " + base64.b64encode(pair.encode()).decode()
        else:
            form["client_id"] = self.client.client_id
            if secret is not None:
                form["client_secret"] = secret
        try:
            response = await self._http.post(metadata.token_endpoint, data=form, headers=headers)
        except httpx.HTTPError as error:
            return Refused("provider_unreachable", type(error).__name__)
        if response.status_code >= 500:
            return Refused("provider_unreachable", f"HTTP {response.status_code}")
        try:
            body = response.json()
        except ValueError:
            return Refused("provider_misconfigured", "token response is not JSON")
        if not isinstance(body, dict):
            return Refused("provider_misconfigured", "token response is not an object")
        if response.status_code != 200:
            return Refused("token_refused", str(body.get("error", response.status_code))[:100])
        return body

    def _identity(self, claims: dict[str, Any], id_token: str) -> SignedIn | Refused:
        value = _claim(claims, self.client.roles_claim)
        if value is None and self.client.roles_claim in claims.get("_claim_names", {}):
            # Entra ID leaves the groups out past 200 and points to Graph instead.
            return Refused("too_many_groups", subject=claims["sub"], issuer=claims["iss"])
        listed = [value] if isinstance(value, str) else value if isinstance(value, list) else []
        groups = {group for group in listed if isinstance(group, str)}
        mapped = {role for role, group in self.client.role_map if group in groups}
        roles = tuple(role for role in self.client.roles if role in mapped)
        if not roles:
            return Refused("no_role", subject=claims["sub"], issuer=claims["iss"])
        name = claims.get("name") or claims.get("preferred_username") or claims["sub"]
        email = claims.get("email")
        return SignedIn(
            subject=claims["sub"],
            issuer=claims["iss"],
            display_name=str(name),
            email=email if isinstance(email, str) else None,
            role=roles[-1],
            roles=roles,
            id_token=id_token,
        )

    async def logout_url(
        self, id_token: str | None, after_logout: str, now: datetime
    ) -> str | None:
        """Where to send the browser to end the provider's session too (RP-initiated
        logout), or None when the provider offers no end_session_endpoint."""
        try:
            endpoint = (await self.provider.metadata(now)).end_session_endpoint
        except ProviderError:
            return None
        if not endpoint:
            return None
        params = {"client_id": self.client.client_id, "post_logout_redirect_uri": after_logout}
        if id_token:
            params["id_token_hint"] = id_token
        joiner = "&" if "?" in endpoint else "?"
        return f"{endpoint}{joiner}{urlencode(params)}"


def _challenge(verifier: str) -> str:
    digest = hashlib.sha256(verifier.encode("ascii")).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


def _claim(claims: Mapping[str, Any], name: str) -> Any:
    """``name`` itself, else a dotted path into objects (``realm_access.roles``)."""
    if name in claims:
        return claims[name]
    value: Any = claims
    for part in name.split("."):
        if not isinstance(value, Mapping) or part not in value:
            return None
        value = value[part]
    return value
