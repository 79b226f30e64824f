"""The sign-on routes: ``/loket/sso/login`` sends the browser to the identity provider,
``/loket/sso/callback`` is where it comes back; a refusal is a friendly Dutch page that
says what to do, never an error.

The callback answers with a page that moves on to the dashboard itself (a refresh) rather
than with a redirect: the session cookie is SameSite=Strict, and a browser leaves it off a
redirect chain that began at the provider's site.
"""

from __future__ import annotations

from datetime import datetime
from urllib.parse import quote
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from bot.sso.relying_party import Refused
from bot.web.http import client_of
from core.text.msgids import N_, Msg, msg

from .auth import LOGIN_BUSY, safe_next
from .context import DashboardContext
from .login_gate import LoginRefused
from .sign_on import REVOKED, SignOn

PATH = "/loket/sso"
BINDING_COOKIE = "sp_sso"
BINDING_AGE = 600  # the pending login's ten minutes
MAX_PARAM = 4096  # a code, a state or an error from the provider is far shorter

SIGN_IN_WITH = N_("Sign in with %(organisation)s")
YOUR_ORGANISATION = N_("your organisation")
REFUSED_TITLE = N_("Signing in did not work")
SIGN_IN_AGAIN = N_("Sign in again")
NO_ACCESS = N_(
    "Your account has no access to Signaalpunt. Ask the administrator for access to Signaalpunt."
)
ACCESS_REVOKED = N_(
    "Your access to Signaalpunt has been switched off. Ask the administrator for access to "
    "Signaalpunt."
)
TOO_MANY_GROUPS = N_(
    "Signaalpunt could not read which groups you are in: there are too many. Ask the "
    "administrator for access to Signaalpunt."
)
UNREACHABLE = N_(
    "The sign-in service of %(organisation)s cannot be reached right now. Try again in a few "
    "minutes. Still not working? Tell the administrator."
)
CANCELLED = N_("Signing in at %(organisation)s was stopped. Try again.")
STALE = N_("This sign-in has expired or was used already. Start signing in again.")
LOGGED_OUT = N_("Logged out")
LOGGING_OUT_THERE_TOO = N_(
    "You are logged out of Signaalpunt. Now you are logged out at %(organisation)s as well."
)
CONTINUE = N_("Continue")
UNVERIFIED = N_(
    "We could not check who you are. Try again. Still not working? Tell the administrator "
    "the time: %(time)s."
)

# What each refusal tells the person, and its status.
_ACCESS = {"no_role": NO_ACCESS, REVOKED: ACCESS_REVOKED, "too_many_groups": TOO_MANY_GROUPS}
_STALE = {"state_unknown_or_replayed", "state_expired", "wrong_browser"}
_UNREACHABLE = {"provider_unreachable", "provider_misconfigured"}
AMSTERDAM = ZoneInfo("Europe/Amsterdam")
BUSY = "busy"  # too many sign-ons from this client, or at once: not the provider's refusal


def organisation(web: DashboardContext) -> str | Msg:
    settings = web.app.settings
    return settings.oidc_name or settings.municipality_name or msg(YOUR_ORGANISATION)


def refusal(reason: str, name: str | Msg, now: datetime) -> tuple[int, Msg]:
    if reason == BUSY:
        return 429, msg(LOGIN_BUSY)
    if reason in _ACCESS:
        return 403, msg(_ACCESS[reason])
    if reason in _STALE:
        return 400, msg(STALE)
    if reason in _UNREACHABLE:
        return 503, msg(UNREACHABLE, organisation=name)
    if reason == "provider_error":
        return 400, msg(CANCELLED, organisation=name)
    return 403, msg(UNVERIFIED, time=now.astimezone(AMSTERDAM).strftime("%H:%M"))


def router(web: DashboardContext, sign_on: SignOn) -> APIRouter:
    routes = APIRouter()
    secure = web.app.settings.web_secure_cookies

    def refused_page(request: Request, reason: str, next_path: str) -> Response:
        status, message = refusal(reason, organisation(web), web.clock())
        response = web.pages.render(
            request,
            "staff/sign_on_refused.html",
            status_code=status,
            message=message,
            again=f"{PATH}/login?next={quote(safe_next(next_path))}",
        )
        response.delete_cookie(BINDING_COOKIE, path=PATH, httponly=True, samesite="lax")
        return response

    @routes.get(f"{PATH}/login")
    async def begin(request: Request, next: str | None = None) -> Response:
        next_path = safe_next(next)
        try:
            # Each start writes a pending sign-on: counted per client like password logins.
            async with web.auth.gate.admit(client_of(request)):
                started = await sign_on.begin(next_path)
        except LoginRefused as refused:
            response = refused_page(request, BUSY, next_path)
            response.status_code = refused.status
            response.headers["Retry-After"] = str(refused.retry_after)
            return response
        if isinstance(started, Refused):
            return refused_page(request, started.reason, next_path)
        response = RedirectResponse(started.url, status_code=303)
        response.set_cookie(
            BINDING_COOKIE,
            started.binding,
            max_age=BINDING_AGE,
            path=PATH,
            httponly=True,
            samesite="lax",  # it must come along when the provider sends the browser back
            secure=secure,
        )
        return response

    @routes.get(f"{PATH}/callback")
    async def callback(request: Request) -> Response:
        params = {k: v[:MAX_PARAM] for k, v in request.query_params.items()}
        binding = request.cookies.get(BINDING_COOKIE)
        outcome = await sign_on.complete(params, binding[:256] if binding else None)
        go_to = safe_next(outcome.go_to)
        if outcome.token is None:
            return refused_page(request, outcome.reason or "", go_to)
        response = web.pages.render(request, "staff/sign_on_done.html", go_to=go_to)
        response.delete_cookie(BINDING_COOKIE, path=PATH, httponly=True, samesite="lax")
        web.auth.set_cookie(response, outcome.token)
        return response

    return routes
