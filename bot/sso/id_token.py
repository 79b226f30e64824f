"""Checking an ID token (OpenID Connect Core 3.1.3.7): signature first, then the claims.

Every failure is a refusal reason; nothing here raises for what a provider (or someone
between it and us) sends.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, TypeGuard

from joserfc import jws, jwt
from joserfc.errors import JoseError
from joserfc.jwk import Key

KeyLookup = Callable[[str | None, str], Awaitable[Key | None]]  # (kid, alg) -> key


@dataclass(frozen=True)
class Expected:
    issuer: str
    client_id: str
    nonce: str
    algorithms: frozenset[str]
    leeway: timedelta = timedelta(seconds=60)


@dataclass(frozen=True)
class Checked:
    claims: dict[str, Any] | None = None
    reason: str = ""


async def check_id_token(
    token: str, expected: Expected, key_for: KeyLookup, now: datetime
) -> Checked:
    try:
        header = jws.extract_compact(token.encode()).protected
    except (JoseError, ValueError, TypeError, UnicodeError):
        return Checked(reason="invalid_token")
    alg, kid = header.get("alg"), header.get("kid")
    if alg not in expected.algorithms or (kid is not None and not isinstance(kid, str)):
        return Checked(reason="bad_signature")
    key = await key_for(kid, alg)
    if key is None:
        return Checked(reason="bad_signature")
    try:
        claims = jwt.decode(token, key, algorithms=[alg]).claims
    except JoseError:
        return Checked(reason="bad_signature")
    reason = _claims_problem(claims, expected, now)
    return Checked(reason=reason) if reason else Checked(claims=claims)


def _claims_problem(claims: dict[str, Any], expected: Expected, now: datetime) -> str:
    if claims.get("iss") != expected.issuer:
        return "wrong_issuer"
    audience = claims.get("aud")
    audiences = [audience] if isinstance(audience, str) else audience
    if not isinstance(audiences, list) or expected.client_id not in audiences:
        return "wrong_audience"
    azp = claims.get("azp")
    # Several audiences: the token must say it was issued to us (azp); if azp is there
    # at all, it must be us.
    if (len(audiences) > 1 and azp is None) or (azp is not None and azp != expected.client_id):
        return "wrong_audience"
    timestamp = now.timestamp()
    leeway = expected.leeway.total_seconds()
    exp, iat = claims.get("exp"), claims.get("iat")
    if not (_number(exp) and _number(iat)) or not isinstance(claims.get("sub"), str):
        return "invalid_token"
    if exp + leeway <= timestamp:
        return "expired"
    if iat - leeway > timestamp:
        return "not_yet_valid"
    if claims.get("nonce") != expected.nonce:
        return "nonce_mismatch"
    return ""


def _number(value: object) -> TypeGuard[float]:
    return isinstance(value, int | float) and not isinstance(value, bool)
