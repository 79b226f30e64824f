"""Staff signing on with the municipality's identity provider (``bot.sso``), as the
dashboard uses it: the pending logins in the database (every instance sees them), the staff
record made or brought up to date at each sign-in, deactivated when the provider no longer
gives a mapped group, and a dashboard session that keeps the ID token for the logout.

Every sign-in and every refusal is in the access history and the log, by reason; a token
is never logged (the ID token lives only, encrypted, in the session row).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

import httpx

from bot.sso.logins import PendingLogin
from bot.sso.relying_party import LoginStart, OidcClient, Refused, RelyingParty, SignedIn
from bot.web.security import new_token
from core.lifecycle import table as lifecycle
from core.lifecycle.parties import WEB_VISITOR, StaffMember, as_text
from storage.sso import PendingSsoLogin
from storage.uow import Store

from .auth import token_hash

if TYPE_CHECKING:
    from ..app import App

log = logging.getLogger(__name__)

ACTION = "sso_login"  # the access history's action of a sign-on
# Reasons that do not fit the history's outcome column (32 characters with "refused:").
_SHORT = {"state_unknown_or_replayed": "state_replayed"}
# A staff member an administrator revoked who signs on with the group still given.
REVOKED = "revoked"


def audit_outcome(reason: str) -> str:
    return f"refused:{_SHORT.get(reason, reason)}"


def sso_account(issuer: str, subject: str) -> str:
    """The account book's id of an identity: a subject is unique only within its issuer."""
    return f"{issuer}#{subject}"


class StorePendingLogins:
    """``bot.sso.logins.PendingLogins`` in the database: a state is taken at most once, on
    whichever instance the provider sends the browser back to."""

    def __init__(self, store: Store) -> None:
        self._store = store

    async def put(self, login: PendingLogin, now: datetime) -> None:
        async with self._store.unit_of_work() as uow:
            await uow.sso_logins.put(
                PendingSsoLogin(
                    login.state,
                    login.nonce,
                    login.code_verifier,
                    login.browser_hash,
                    login.return_to,
                    login.expires_at,
                ),
                now,
            )
            await uow.commit()

    async def take(self, state: str) -> PendingLogin | None:
        async with self._store.unit_of_work() as uow:
            found = await uow.sso_logins.take(state)
            await uow.commit()
        if found is None:
            return None
        return PendingLogin(
            found.state,
            found.nonce,
            found.code_verifier,
            found.browser_hash,
            found.return_to,
            found.expires_at,
        )


@dataclass(frozen=True)
class SignOnOutcome:
    """A new session's cookie token, or the refusal's reason; and where to go next."""

    token: str | None
    reason: str | None
    go_to: str


def oidc_client(app: App) -> OidcClient:
    settings = app.settings
    # Settings checked these at start: an issuer comes with a client id and a redirect.
    assert settings.oidc_issuer is not None
    assert settings.oidc_client_id is not None
    assert settings.oidc_redirect_url is not None
    secret = settings.oidc_client_secret
    return OidcClient(
        issuer=settings.oidc_issuer,
        client_id=settings.oidc_client_id,
        client_secret=secret.get_secret_value() or None if secret is not None else None,
        redirect_url=settings.oidc_redirect_url,
        role_map=settings.role_map(),
        roles=lifecycle.ROLES,
        roles_claim=settings.oidc_roles_claim,
        scopes=settings.oidc_scopes,
    )


class SignOn:
    def __init__(self, app: App, clock: Callable[[], datetime], http: httpx.AsyncClient) -> None:
        self._store = app.store
        self._clock = clock
        self.http = http
        self.redirect_url = app.settings.oidc_redirect_url or ""
        self.party = RelyingParty(oidc_client(app), http, StorePendingLogins(app.store))

    async def begin(self, return_to: str) -> LoginStart | Refused:
        started = await self.party.begin(self._clock(), return_to)
        if isinstance(started, Refused):
            await self._refused(started.reason)
        return started

    async def complete(self, params: Mapping[str, str], binding: str | None) -> SignOnOutcome:
        now = self._clock()
        outcome, go_to = await self.party.complete(params, binding, now)
        if isinstance(outcome, Refused):
            if outcome.reason == "no_role" and outcome.subject:
                await self._group_gone(sso_account(outcome.issuer, outcome.subject), now)
            await self._refused(outcome.reason)
            return SignOnOutcome(None, outcome.reason, go_to)
        return await self._signed_in(outcome, go_to, now)

    async def _signed_in(self, identity: SignedIn, go_to: str, now: datetime) -> SignOnOutcome:
        account = sso_account(identity.issuer, identity.subject)
        async with self._store.unit_of_work() as uow:
            signed = await uow.sso_accounts.sign_in(
                account, display_name=identity.display_name, role=identity.role, now=now
            )
            actor = StaffMember(signed.staff.id)
            if signed.outcome == REVOKED:
                await uow.audit.record(
                    at=now, actor=actor, action=ACTION, outcome=audit_outcome(REVOKED)
                )
                await uow.commit()
                log.warning("sign-on refused", extra={"reason": REVOKED, "actor": as_text(actor)})
                return SignOnOutcome(None, REVOKED, go_to)
            token = new_token()
            await uow.logins.open_session(
                token_hash(token),
                signed.staff.id,
                new_token(),
                now,
                id_token_hint=identity.id_token,
            )
            await uow.audit.record(
                at=now, actor=actor, action=ACTION, outcome=f"ok:{signed.outcome}"
            )
            await uow.commit()
        # The role is in the staff record; the log says who and what happened.
        log.info("signed on", extra={"actor": as_text(actor), "reason": f"ok:{signed.outcome}"})
        return SignOnOutcome(token, None, go_to)

    async def _group_gone(self, account: str, now: datetime) -> None:
        async with self._store.unit_of_work() as uow:
            revoked = await uow.sso_accounts.revoke_by_provider(account, now)
            if revoked is not None:
                await uow.audit.record(
                    at=now, actor=StaffMember(revoked.id), action="revoke", outcome="sso:no_group"
                )
            await uow.commit()
        if revoked is not None:
            log.warning(
                "staff member deactivated: no mapped group",
                extra={"actor": as_text(StaffMember(revoked.id)), "reason": "no_role"},
            )

    async def _refused(self, reason: str) -> None:
        now = self._clock()
        async with self._store.unit_of_work() as uow:
            await uow.audit.record(
                at=now, actor=WEB_VISITOR, action=ACTION, outcome=audit_outcome(reason)
            )
            await uow.commit()
        log.warning("sign-on refused", extra={"reason": reason})

    async def logout_url(self, id_token: str | None, after_logout: str) -> str | None:
        return await self.party.logout_url(id_token, after_logout, self._clock())
