"""Staff on the dashboard: logging in and out, the session behind each page, roles, and
the form token on every POST.

A session is a random cookie token (only its hash is stored) that ends after
``web_session_idle_minutes`` without a request, after ``web_session_max_hours``, at
logout, and when the account is revoked. Failed logins are counted per username (as a
keyed hash): after ``max_failed_logins`` the name is locked for ``lockout_minutes``,
whether or not it exists, so the lock tells nothing about which accounts exist.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable, Collection
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy.exc import SQLAlchemyError
from starlette.datastructures import FormData, UploadFile

from bot.staff.passwords import hash_in_thread, needs_rehash, verify_in_thread
from bot.web.http import client_of, form_fields, limited_body
from bot.web.security import new_token, same_token
from core.lifecycle.parties import WEB_VISITOR, StaffMember, as_text
from core.text.msgids import N_, Msg, msg
from storage.records import StaffRecord

from .login_form import LoginForms
from .login_gate import LoginGate, LoginRefused

if TYPE_CHECKING:
    from ..app import App
    from .context import DashboardContext

log = logging.getLogger(__name__)

COOKIE = "signaalpunt_loket"
COOKIE_PATH = "/loket"
LOGIN_PATH = "/loket/login"
LOGIN = "web_login"  # the kind of attempt in access_attempts
TOUCH_EVERY = timedelta(minutes=1)  # last_seen is written at most once a minute
# Sent by static/live.js when it fetches the list again after a change: not the staff
# member's activity, so it does not keep an unattended tab's session open.
LIVE_FETCH_HEADER = "x-signaalpunt-live"
# Bytes of a dashboard form, read as they arrive: far above any form of ours (a text that is
# too long still gets its "too long" message), a bound where no proxy stands in front.
MAX_FORM = 1_000_000
MAX_FIELDS = 200

LOGIN_FAILED = N_("The username or password is not correct.")
LOGIN_LOCKED = N_(
    "Too many failed attempts with this username. Try again in %(minutes)s minutes, or ask "
    "an administrator."
)
LOGIN_MISSING = N_("Fill in your username and password.")
LOGIN_BUSY = N_("Logging in is very busy right now. Please try again in a few seconds.")
FORM_EXPIRED = N_("This form has expired (for example after logging in again). Please try again.")
NOT_ALLOWED = N_("This page is not available for your role.")


@dataclass(frozen=True)
class WebStaff:
    """The staff member behind a request. ``actor`` names them in history and audit."""

    record: StaffRecord
    csrf: str
    token_hash: str

    @property
    def actor(self) -> StaffMember:
        return StaffMember(self.record.id)

    @property
    def role(self) -> str:
        return self.record.role


class LoginRequired(Exception):
    def __init__(self, next_path: str) -> None:
        super().__init__(next_path)
        self.next_path = next_path


class Forbidden(Exception):
    """The staff member's role may not do this (a friendly 403 page)."""


class FormExpired(Exception):
    """A POST without the session's form token (CSRF, or a form from an old session)."""


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def require_role(staff: WebStaff, roles: Collection[str]) -> None:
    if staff.role not in roles:
        raise Forbidden()


async def small_form(request: Request) -> FormData:
    """A POSTed form of at most ``MAX_FORM`` bytes (read as it arrives: a larger one, or a
    form with more fields than any of ours, reads as empty)."""
    body = await limited_body(request, MAX_FORM)
    fields: list[tuple[str, str | UploadFile]] = []
    if body is not None:
        fields.extend(form_fields(body, MAX_FIELDS))
    return FormData(fields)


async def checked_form(request: Request, staff: WebStaff) -> FormData:
    """The POSTed form, after checking its ``csrf`` field against the session's token."""
    form = await small_form(request)
    sent = form.get("csrf")
    if not same_token(sent if isinstance(sent, str) else None, staff.csrf):
        raise FormExpired()
    return form


class StaffAuth:
    def __init__(self, app: App, clock: Callable[[], datetime]) -> None:
        self._app = app
        self._clock = clock
        settings = app.settings
        self._idle = timedelta(minutes=settings.web_session_idle_minutes)
        self._longest = timedelta(hours=settings.web_session_max_hours)
        self._max_failed = settings.max_failed_logins
        self._lockout = timedelta(minutes=settings.lockout_minutes)
        self._secure = settings.web_secure_cookies
        # Password sign-in switched off: only the break-glass administrator may use it.
        self.password_sign_in = settings.password_sign_in
        self._break_glass = settings.break_glass_admin
        self.gate = LoginGate(
            checks=settings.login_checks,
            waiting=settings.login_waiting,
            per_minute=settings.login_attempts_per_minute,
        )

    async def current_staff(self, request: Request) -> WebStaff:
        """A FastAPI dependency: the logged-in staff member, or a redirect to the login."""
        token = request.cookies.get(COOKIE)
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        if not token:
            raise LoginRequired(target)
        hashed = token_hash(token)
        now = self._clock()
        async with self._app.store.unit_of_work() as uow:
            session = await uow.logins.session(hashed)
            if session is None:
                raise LoginRequired(target)
            expired = (
                not session.staff.active
                or now - session.last_seen_at >= self._idle
                or now - session.created_at >= self._longest
            )
            if expired:
                await uow.logins.close_session(hashed)
                await uow.commit()
                raise LoginRequired(target)
            if (
                now - session.last_seen_at >= TOUCH_EVERY
                and LIVE_FETCH_HEADER not in request.headers
            ):
                await uow.logins.touch(hashed, now)
                await uow.commit()
        return WebStaff(session.staff, session.csrf, hashed)

    async def still_signed_in(self, token_hash: str) -> bool:
        """Whether the session is still open, without counting this as activity (a live
        stream open in a forgotten tab must not keep its session from timing out)."""
        now = self._clock()
        async with self._app.store.unit_of_work() as uow:
            session = await uow.logins.session(token_hash)
        return (
            session is not None
            and session.staff.active
            and now - session.last_seen_at < self._idle
            and now - session.created_at < self._longest
        )

    def _subject(self, username: str) -> str:
        return self._app.store.keyring.index(f"{LOGIN}:{username.casefold()}")

    async def log_in(self, username: str, password: str) -> tuple[str | None, str | None]:
        """(the new session's cookie token, None) or (None, the reason as a msgid).

        The attempt is counted as a failure and committed before the password is checked,
        so no number of simultaneous attempts, on any number of instances, gets more than
        ``max_failed_logins`` passwords checked per lockout period; only a success clears
        the count."""
        username = username.strip()
        if not username or not password:
            return None, LOGIN_MISSING
        now = self._clock()
        subject = self._subject(username)
        async with self._app.store.unit_of_work() as uow:
            attempt = await uow.limits.reserve_attempt(
                LOGIN, subject, now, since=now - self._lockout, limit=self._max_failed
            )
            if attempt is None:
                await uow.audit.record(
                    at=now, actor=WEB_VISITOR, action="login", outcome="refused:locked"
                )
                await uow.commit()
                log.warning("dashboard login locked out")
                return None, LOGIN_LOCKED
            await uow.commit()
        async with self._app.store.unit_of_work() as uow:
            account = await uow.logins.account(username)
        # With password sign-in off, everyone but the break-glass administrator is refused
        # exactly like a wrong password (same check, same answer): the answer does not tell
        # which username is the one that may still sign in.
        allowed = self.password_sign_in or (
            username == self._break_glass and account is not None and account.staff.role == "admin"
        )
        stored = account.password_hash if account is not None and allowed else None
        matches = await verify_in_thread(stored, password)  # outside the transaction: slow
        async with self._app.store.unit_of_work() as uow:
            if not matches or account is None or not allowed or not account.staff.active:
                refused = "refused:credentials" if allowed else "refused:password_off"
                await uow.audit.record(at=now, actor=WEB_VISITOR, action="login", outcome=refused)
                await uow.commit()
                return None, LOGIN_FAILED
            await uow.limits.attempt_succeeded(attempt)
            token = new_token()
            await uow.logins.open_session(token_hash(token), account.staff.id, new_token(), now)
            if needs_rehash(account.password_hash):  # the hasher's parameters were raised
                await uow.logins.set_password(account.staff.id, await hash_in_thread(password))
            break_glass = not self.password_sign_in
            await uow.audit.record(
                at=now,
                actor=StaffMember(account.staff.id),
                action="login",
                outcome="ok:break_glass" if break_glass else "ok",
            )
            await uow.commit()
        if break_glass:
            log.warning(
                "break-glass password sign-in",
                extra={"actor": as_text(StaffMember(account.staff.id))},
            )
        return token, None

    async def log_out(self, staff: WebStaff) -> str | None:
        """Ends the session; the ID token it kept when it began by single sign-on (the
        provider's logout asks for it)."""
        now = self._clock()
        async with self._app.store.unit_of_work() as uow:
            hint = await uow.logins.id_token_hint(staff.token_hash)
            await uow.logins.close_session(staff.token_hash)
            await uow.audit.record(at=now, actor=staff.actor, action="logout", outcome="ok")
            await uow.commit()
        return hint

    def set_cookie(self, response: Response, token: str) -> None:
        response.set_cookie(
            COOKIE,
            token,
            path=COOKIE_PATH,
            httponly=True,
            samesite="strict",
            secure=self._secure,
        )

    def clear_cookie(self, response: Response) -> None:
        response.delete_cookie(COOKIE, path=COOKIE_PATH, httponly=True, samesite="strict")


def safe_next(path: str | None) -> str:
    """Only a path on the dashboard itself: never a redirect to another site."""
    if path and path.startswith("/loket/") and not path.startswith("//") and "\\" not in path:
        return path
    return "/loket/"


def login_redirect(next_path: str) -> RedirectResponse:
    return RedirectResponse(f"{LOGIN_PATH}?next={quote(safe_next(next_path))}", status_code=303)


def sign_on_button(web: DashboardContext, next_path: str) -> dict[str, Any]:
    """The login page's "sign in with" button, when single sign-on is on."""
    from .sign_on_routes import PATH, SIGN_IN_WITH  # it imports this module

    if web.sign_on is None:
        return {"sign_on": None}
    return {
        "sign_on": msg(SIGN_IN_WITH, organisation=sign_on_organisation(web)),
        "sign_on_url": f"{PATH}/login?next={quote(next_path)}",
    }


def sign_on_organisation(web: DashboardContext) -> str | Msg:
    from .sign_on_routes import organisation  # it imports this module

    return organisation(web)


def after_logout_url(redirect_url: str) -> str:
    """Where the provider sends the browser after its logout: our login page, at the
    address the provider knows us by."""
    return redirect_url.split("/loket/", 1)[0] + LOGIN_PATH


def router(web: DashboardContext) -> APIRouter:
    routes = APIRouter()
    auth = web.auth
    forms = LoginForms(web.app.store.keyring, secure=web.app.settings.web_secure_cookies)

    def form_page(
        request: Request,
        *,
        status_code: int = 200,
        next_path: str = "/loket/",
        error: Msg | None = None,
        username: str = "",
        headers: dict[str, str] | None = None,
    ) -> Response:
        cookie = forms.cookie_of(request) or new_token()
        # With password sign-in off, the form is there only at /loket/login?noodtoegang.
        break_glass = not auth.password_sign_in and "noodtoegang" in request.query_params
        response = web.pages.render(
            request,
            "staff/login.html",
            status_code=status_code,
            headers=headers,
            next=next_path,
            error=error,
            username=username,
            form_token=forms.token_for(cookie),
            show_password=auth.password_sign_in or break_glass,
            break_glass=break_glass,
            **sign_on_button(web, next_path),
        )
        forms.set_cookie(response, cookie)
        return response

    @routes.get(LOGIN_PATH)
    async def login_page(request: Request, next: str | None = None) -> Response:
        return form_page(request, next_path=safe_next(next))

    @routes.post(LOGIN_PATH)
    async def login(request: Request) -> Response:
        form = await small_form(request)
        username = str(form.get("username") or "")[:64]
        password = str(form.get("password") or "")
        next_path = safe_next(str(form.get("next") or ""))
        sent = form.get("form_token")
        if request.headers.get("sec-fetch-site") == "cross-site" or not forms.valid(
            request, sent if isinstance(sent, str) else None
        ):
            # Login CSRF: a page elsewhere must not log this browser in (as anybody).
            log.warning("dashboard login without this site's form token refused")
            return form_page(
                request,
                status_code=403,
                next_path=next_path,
                error=msg(FORM_EXPIRED),
                username=username,
            )

        def busy(status: int, retry_after: int) -> Response:
            return form_page(
                request,
                status_code=status,
                next_path=next_path,
                error=msg(LOGIN_BUSY),
                username=username,
                headers={"Retry-After": str(retry_after)},
            )

        try:
            async with auth.gate.admit(client_of(request)):
                token, problem = await auth.log_in(username, password)
        except LoginRefused as refused:
            return busy(refused.status, refused.retry_after)
        except SQLAlchemyError:
            log.warning("dashboard login could not be stored: try again", exc_info=True)
            return busy(503, 5)
        if token is None:
            minutes = max(1, web.app.settings.lockout_minutes)
            error = msg(problem, minutes=minutes) if problem == LOGIN_LOCKED else msg(problem or "")
            return form_page(
                request,
                status_code=401 if problem != LOGIN_MISSING else 400,
                next_path=next_path,
                error=error,
                username=username,
            )
        response = RedirectResponse(next_path, status_code=303)
        auth.set_cookie(response, token)
        forms.clear_cookie(response)
        return response

    @routes.post("/loket/logout")
    async def logout(request: Request) -> Response:
        staff = await auth.current_staff(request)
        await checked_form(request, staff)
        hint = await auth.log_out(staff)
        provider_logout = None
        if web.sign_on is not None and hint is not None:
            provider_logout = await web.sign_on.logout_url(
                hint, after_logout_url(web.sign_on.redirect_url)
            )
        response: Response
        if provider_logout is not None:
            # A page that moves on rather than a redirect: the form's page allows forms to
            # go only to this site (CSP form-action), redirects after the POST included.
            response = web.pages.render(
                request,
                "staff/sign_on_logout.html",
                go_to=provider_logout,
                organisation=sign_on_organisation(web),
            )
        else:
            response = RedirectResponse(LOGIN_PATH, status_code=303)
        auth.clear_cookie(response)
        return response

    return routes
