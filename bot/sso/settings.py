"""The single sign-on settings (prefix SIGNAALPUNT_OIDC_), checked at start.

``SIGNAALPUNT_OIDC_ROLE_MAP`` says which group (or app role) gives which role, like
``loket=GRP-Loket,regisseur=GRP-Regie,admin=GRP-Admin``; a role may be listed more than
once for several groups. The groups are read from the claim ``SIGNAALPUNT_OIDC_ROLES_CLAIM``
(``groups`` by default; ``roles`` for Entra ID app roles; a dotted path such as
``realm_access.roles`` reaches into an object).
"""

from __future__ import annotations

import ipaddress
import re
from urllib.parse import urlsplit

from pydantic import BaseModel, SecretStr, field_validator, model_validator

_ROLE = re.compile(r"[a-z][a-z0-9_]*")


def parse_role_map(text: str) -> tuple[tuple[str, str], ...]:
    """``role=group`` pairs, comma-separated; ``ValueError`` (one line) if malformed."""
    pairs = []
    for item in text.split(","):
        if not item.strip():
            continue
        role, sep, group = item.partition("=")
        role, group = role.strip(), group.strip()
        if not sep or not _ROLE.fullmatch(role) or not group:
            raise ValueError(
                "is role=group pairs separated by commas, like "
                "loket=GRP-Loket,regisseur=GRP-Regie,admin=GRP-Admin"
            )
        pairs.append((role, group))
    if not pairs:
        raise ValueError("maps at least one role to a group, like loket=GRP-Loket")
    return tuple(pairs)


def check_url(value: str, *, what: str) -> str:
    """An absolute https URL (http only to this machine); ``ValueError`` otherwise."""
    url = value.strip()
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 (a bad port raises here)
    except ValueError:
        raise ValueError(f"is {what}: an absolute https URL") from None
    host = parts.hostname or ""
    if parts.scheme == "http" and _loopback(host):
        pass
    elif parts.scheme != "https" or not host:
        raise ValueError(f"is {what}: an absolute https URL (http only for localhost)")
    if parts.fragment:
        raise ValueError(f"is {what}: without a #fragment")
    return url


def _loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


class OidcSettings(BaseModel):
    """The sign-on part of ``bot.settings.Settings`` (inherit it there). An issuer turns
    single sign-on on; the rest is then required."""

    oidc_issuer: str | None = None
    oidc_client_id: str | None = None
    oidc_client_secret: SecretStr | None = None
    oidc_redirect_url: str | None = None
    oidc_scopes: str = "openid profile email"
    oidc_roles_claim: str = "groups"
    oidc_role_map: str = ""
    # The name on the sign-on button ("Inloggen met Gemeente Terneuzen"); default: the
    # municipality's name.
    oidc_name: str | None = None
    # Password sign-in to the dashboard; off, only the break-glass administrator (a
    # dashboard username) may still sign in with a password, for when the provider is down.
    password_sign_in: bool = True
    break_glass_admin: str | None = None

    @field_validator("oidc_issuer")
    @classmethod
    def _issuer(cls, value: str | None) -> str | None:
        if not value or not value.strip():
            return None
        url = check_url(value, what="the provider's issuer")
        if urlsplit(url).query:
            raise ValueError("is the provider's issuer, without a ?query")
        return url

    @field_validator("oidc_redirect_url")
    @classmethod
    def _redirect(cls, value: str | None) -> str | None:
        if not value or not value.strip():
            return None
        return check_url(value, what="where the provider sends staff back")

    @field_validator("oidc_role_map")
    @classmethod
    def _role_map(cls, value: str) -> str:
        if value.strip():
            parse_role_map(value)
        return value

    @field_validator("oidc_scopes")
    @classmethod
    def _scopes(cls, value: str) -> str:
        if "openid" not in value.split():
            raise ValueError("includes openid, like: openid profile email")
        return value

    @field_validator("oidc_name", "break_glass_admin")
    @classmethod
    def _short_name(cls, value: str | None) -> str | None:
        if value is None or not value.strip():
            return None
        if len(value.strip()) > 64 or not value.strip().isprintable():
            raise ValueError("is a name of at most 64 printable characters")
        return value.strip()

    @model_validator(mode="after")
    def _password_sign_in(self) -> OidcSettings:
        if self.password_sign_in:
            return self
        if self.oidc_issuer is None:
            raise ValueError(
                "SIGNAALPUNT_PASSWORD_SIGN_IN=false needs single sign-on "
                "(SIGNAALPUNT_OIDC_ISSUER): otherwise nobody can sign in"
            )
        if self.break_glass_admin is None:
            raise ValueError(
                "SIGNAALPUNT_PASSWORD_SIGN_IN=false needs SIGNAALPUNT_BREAK_GLASS_ADMIN, the "
                "username of the one administrator who may still sign in with a password"
            )
        return self

    @model_validator(mode="after")
    def _oidc_complete(self) -> OidcSettings:
        if self.oidc_issuer is None:
            return self
        for name in ("client_id", "redirect_url", "role_map"):
            value = getattr(self, f"oidc_{name}")
            if not value or not str(value).strip():
                raise ValueError(
                    f"SIGNAALPUNT_OIDC_{name.upper()} is required with SIGNAALPUNT_OIDC_ISSUER"
                )
        return self

    def role_map(self) -> tuple[tuple[str, str], ...]:
        return parse_role_map(self.oidc_role_map)
