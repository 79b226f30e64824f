"""The residents' web chat at ``/chat``: the same engine and flows as every other channel,
as a page of plain forms (it works without JavaScript) that survives a reload and a
restart.

The cookie holds a random token; the database keeps its SHA-256 and, under a separate
random user id (the reporter's id on the "web" channel), the transcript. A first visit
stores nothing (the cookie's token is only remembered once the first form is sent, so a
double submit of that form is one chat). Every POST is answered with a redirect to the
page (Post/Redirect/Get); the form's one-time ``nonce`` makes a resubmitted form count
once.
"""

from __future__ import annotations

import logging
import re
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy.exc import SQLAlchemyError

from bot.app import App
from bot.rendering import render_reply
from bot.reporting.voice import received, refusal
from bot.staff.partners import CODE_PATTERN
from bot.web.client_counts import ClientCounts
from bot.web.http import client_of, form_fields, limited_body
from bot.web.templating import Pages
from core.dialog import messages as m
from core.dialog.dialogs import WELCOME
from core.dialog.events import Reopen, Reply
from core.dialog.flows import DANGER_INFO, DONE
from core.dialog.messages import ERASED
from core.text.languages import LANGUAGES, RTL_LANGUAGES, LanguageName, language_from_tag
from core.text.msgids import P_, msg
from core.text.render import render_label
from storage.webchat import token_hash

from . import reach_texts
from .inputs import (
    COMMANDS,
    ChatInput,
    ChatInputs,
    Language,
    Pressed,
    Recorded,
    Typed,
    input_of,
)
from .messenger import ChatTranscripts
from .reach import ChatReach, parse_address
from .transcript import ME, Entry, Transcript

log = logging.getLogger(__name__)

PATH = "/chat"
VOICE_PATH = "/chat/voice"
# The page may use the microphone (the record button); every other page may not.
PERMISSIONS = "camera=(), microphone=(self), geolocation=(), interest-cohort=()"
COOKIE = "signaalpunt_chat"
SESSION_MARK = "signaalpunt_chat_session"  # "1": the chat came by a mail's link (ADR 0104)
NOTICE = "signaalpunt_chat_notice"  # "erased-<language>": shown once after /verwijder
TOUCH_EVERY = timedelta(hours=1)  # a visit keeps the chat alive; written at most this often
MAX_BODY = 16_384  # bytes of a form; a longer text is refused with a message
MAX_FIELDS = 12
MAX_TYPED = 4096  # what is offered again in the text field after a failed step
_NONCE = re.compile(r"[A-Za-z0-9_-]{16,64}")

# The reply to danger stands out on the page.
DANGER_PROMPTS = frozenset({DANGER_INFO.id})
TOO_LONG = P_(
    "web chat: a message too long to send",
    "Your message was too long to send. Please make it shorter.",
)
CROSS_SITE = P_(
    "web chat: a form sent from another website",
    "This form was sent from another website, so we did not process it.",
)
CHAT_BUSY = P_(
    "web chat: too busy to start a new chat",
    "It is very busy right now, so a new chat cannot start. Please try again later.",
)
DAY = 24 * 3600.0


@dataclass(frozen=True)
class Shown:
    """One transcript entry as the page shows it."""

    entry: Entry
    paragraphs: tuple[tuple[str, ...], ...]
    live: bool
    latest: bool
    dir: str


def accepted_language(header: str | None) -> str | None:
    """The supported language the browser prefers most (``Accept-Language``)."""
    ranked: list[tuple[float, int, str]] = []
    for index, part in enumerate((header or "").split(",")[:20]):
        tag, _, params = part.strip().partition(";")
        weight = 1.0
        if params.strip().startswith("q="):
            try:
                weight = float(params.strip()[2:])
            except ValueError:
                continue
        code = language_from_tag(tag)
        if code is not None and weight > 0:
            ranked.append((-weight, index, code))
    return min(ranked)[2] if ranked else None


def _form(body: bytes) -> dict[str, str]:
    """The fields of a POSTed form (the last of a repeated name); a form with more
    fields than ours is read as an empty one."""
    return dict(form_fields(body, MAX_FIELDS))


def _paragraphs(text: str) -> tuple[tuple[str, ...], ...]:
    return tuple(tuple(p.split("\n")) for p in text.split("\n\n") if p.strip())


def _shown(transcript: Transcript) -> list[Shown]:
    latest = transcript.latest()
    return [
        Shown(
            e,
            _paragraphs(e.text),
            transcript.live(e),
            latest is not None and e.n == latest.n,
            "auto" if e.who == ME else ("rtl" if e.language in RTL_LANGUAGES else "ltr"),
        )
        for e in transcript.entries
    ]


class ChatPage:
    def __init__(
        self,
        app: App,
        clock: Callable[[], datetime],
        pages: Pages,
        transcripts: ChatTranscripts,
        reach: ChatReach,
    ) -> None:
        self._app = app
        self._reach = reach
        self._clock = clock
        self._pages = pages
        self.transcripts = transcripts
        self._inputs = ChatInputs(app, self.transcripts)
        self._max_age = int(timedelta(days=app.settings.retain_draft_days).total_seconds())
        self._secure = app.settings.web_secure_cookies
        self._starts = ClientCounts(app.settings.web_chats_per_client_hour, 3600.0)

    # -- GET ---------------------------------------------------------------------------

    async def show(
        self, request: Request, partner: str | None, answer: str | None = None
    ) -> Response:
        now = self._clock()
        token = request.cookies.get(COOKIE) or secrets.token_urlsafe(32)
        hashed = token_hash(token)
        async with self._app.store.unit_of_work() as uow:
            chat = await uow.webchat.by_token(hashed)
            offered = await uow.reporter_mail.offered(chat.user_id) if chat else None
            kept_until = await uow.reporter_mail.kept_until(hashed) if chat else None
            if chat is not None and now - chat.updated_at >= TOUCH_EVERY:
                try:
                    await uow.webchat.touch(hashed, now)
                    await uow.commit()
                except SQLAlchemyError:  # only keeps the chat a little longer: next visit
                    log.warning("touching a web chat failed", exc_info=True)
        hint = accepted_language(request.headers.get("accept-language"))
        notice = self._notice(request.cookies.get(NOTICE))
        if chat is not None:
            transcript = Transcript.from_json(chat.transcript, hint or "nl")
        else:
            language = notice or hint or self._app.settings.default_language
            transcript = self._first_page(language, erased=notice is not None)
        kept = partner if chat is None and partner and CODE_PATTERN.fullmatch(partner) else None
        response = self._page(
            request, transcript, partner=kept, answer=answer, mail_ask=offered is not None
        )
        self._set_cookie(response, token, kept_until=kept_until, now=now, session=_session(request))
        if notice is not None:
            response.delete_cookie(NOTICE, path=PATH)
        return response

    def _first_page(self, language: str, *, erased: bool = False) -> Transcript:
        """The welcome, as it will be stored when the resident answers it (after
        ``/verwijder``, under the confirmation that the details are gone)."""
        engine = self._app.dialog
        outcome = engine.advance(engine.new_state(language), Reopen(), self._clock())
        replies = [render_reply(r, self._app.catalogs, language) for r in outcome.replies]
        if erased:
            replies.insert(0, render_reply(Reply((msg(ERASED),)), self._app.catalogs, language))
        return Transcript(language=language).said(None, replies)

    @staticmethod
    def _notice(value: str | None) -> str | None:
        kind, _, language = (value or "").partition("-")
        return language if kind == "erased" and language in LANGUAGES else None

    def _page(
        self,
        request: Request,
        transcript: Transcript,
        *,
        partner: str | None,
        status_code: int = 200,
        problem: str | None = None,
        typed: str = "",
        answer: str | None = None,
        mail_ask: bool = False,
        mail_typed: str = "",
    ) -> Response:
        language = transcript.language if transcript.language in LANGUAGES else "nl"
        catalog = self._app.catalogs[language]
        question = transcript.answering(answer)
        return self._pages.render(
            request,
            "chat/page.html",
            language=language,
            status_code=status_code,
            headers={"Permissions-Policy": PERMISSIONS},
            asks_phone=question is None and transcript.asks_phone(),
            voice_path=VOICE_PATH,
            max_seconds=int(self._app.voice_limits.max_seconds),
            shown=_shown(transcript),
            nonce=secrets.token_urlsafe(16),
            partner=partner,
            problem=problem,
            typed=typed[:MAX_TYPED],
            done_id=DONE.id,
            danger_prompts=DANGER_PROMPTS,
            welcome_id=WELCOME.id,
            language_codes=LANGUAGES,
            question=question.reference if question is not None else None,
            answering=question.n if question is not None else None,
            languages=[
                (code, render_label(LanguageName(code, in_itself=True), catalog, code))
                for code in LANGUAGES
            ],
            commands=[(name, catalog.gettext(label)) for name, label in COMMANDS.items()],
            mail_ask=mail_ask and self._reach.mail,
            mail_typed=mail_typed[:MAX_TYPED],
            reach=reach_texts,
        )

    def _set_cookie(
        self,
        response: Response,
        token: str,
        *,
        kept_until: datetime | None = None,
        now: datetime | None = None,
        session: bool = False,
    ) -> None:
        """The chat's cookie lives as long as the chat: ``retain_draft_days`` from the
        last visit, or until what waits in it (a check-in) is kept (``kept_until``). A chat
        opened by a mail's link keeps a session cookie (``session``)."""
        max_age: int | None = self._max_age
        if kept_until is not None and now is not None:
            max_age = max(self._max_age, int((kept_until - now).total_seconds()))
        response.set_cookie(
            COOKIE,
            token,
            max_age=None if session else max_age,
            path=PATH,
            httponly=True,
            samesite="lax",
            secure=self._secure,
        )

    # -- POST --------------------------------------------------------------------------

    async def post(self, request: Request) -> Response:
        if request.headers.get("sec-fetch-site") == "cross-site":
            return self._pages.render(request, "error.html", status_code=403, message=CROSS_SITE)
        token = request.cookies.get(COOKIE) or secrets.token_urlsafe(32)
        hashed = token_hash(token)
        body = await limited_body(request, MAX_BODY)
        if body is None:
            return await self._again(request, hashed, token, 413, TOO_LONG)
        form = _form(body)
        if form.get("mail_action") in {"give", "skip"}:
            return await self._mail_answer(request, hashed, token, form)
        given = input_of(form)
        return await self._take(
            request, token, given, form.get("nonce", ""), form.get("partner", "")
        )

    async def post_voice(self, request: Request) -> Response:
        """A voice message recorded in the page (the raw audio as the body; the page's form
        nonce in the query): into the conversation like any answer, then back to the chat.
        A note over the bounds is told to the resident there, in their language."""
        if request.headers.get("sec-fetch-site") == "cross-site":
            return self._pages.render(request, "error.html", status_code=403, message=CROSS_SITE)
        limits = self._app.voice_limits
        body = await limited_body(request, limits.max_bytes)
        voice = refusal(limits, "too_large") if body is None else await received(limits, body)
        token = request.cookies.get(COOKIE) or secrets.token_urlsafe(32)
        nonce = request.query_params.get("nonce", "")
        partner = request.query_params.get("partner", "")
        return await self._take(request, token, Recorded(voice), nonce, partner)

    async def _take(
        self,
        request: Request,
        token: str,
        given: ChatInput | None,
        nonce: str,
        partner: str,
    ) -> Response:
        """Do what the resident sent in their chat (opened by its first input), then send
        them back to the page (Post/Redirect/Get)."""
        hashed = token_hash(token)
        nonce = nonce if _NONCE.fullmatch(nonce) else secrets.token_urlsafe(16)
        hint = accepted_language(request.headers.get("accept-language"))
        now = self._clock()
        typed = given.text if isinstance(given, Typed) else ""
        try:
            async with self.transcripts.resident(hashed):
                async with self._app.store.unit_of_work() as uow:
                    chat = await uow.webchat.by_token(hashed)
                if chat is None:
                    if not await self._may_start(client_of(request), now):
                        return await self._again(request, hashed, token, 429, CHAT_BUSY, typed)
                    if isinstance(given, Language):
                        hint, given = given.code, None  # from the first page: start in it
                    kept = partner if CODE_PATTERN.fullmatch(partner) else None
                    user_id = await self._inputs.open(
                        hashed, now, nonce=nonce, hint=hint, partner=kept
                    )
                else:
                    user_id = chat.user_id
                changed = None
                if given is not None:
                    changed = await self._inputs.perform(
                        user_id, given, now, nonce=nonce, hint=hint
                    )
                async with self._app.store.unit_of_work() as uow:
                    erased = await uow.webchat.by_token(hashed) is None
                if not erased and given is not None:
                    try:
                        await self._reach.after_step(user_id, now)
                    except SQLAlchemyError:  # the step is stored; only the extras wait
                        log.warning("keeping a web chat or offering mail failed", exc_info=True)
        except SQLAlchemyError:
            # Rolled back: the answers are as they were and the question still stands; what
            # was typed is offered again.
            log.warning("a web chat step could not be stored: try again", exc_info=True)
            return await self._again(request, hashed, token, 503, m.SAVE_FAILED, typed)
        response = RedirectResponse(PATH + self._anchor(given, changed), status_code=303)
        if erased:  # /verwijder: the cookie goes with the chat
            language = changed.language if changed is not None else hint or "nl"
            response.delete_cookie(COOKIE, path=PATH)
            response.delete_cookie(SESSION_MARK, path=PATH)
            response.set_cookie(
                NOTICE,
                f"erased-{language}",
                path=PATH,
                httponly=True,
                samesite="lax",
                secure=self._secure,
            )
        else:
            self._set_cookie(response, token, session=_session(request))
        return response

    async def _mail_answer(
        self, request: Request, hashed: str, token: str, form: dict[str, str]
    ) -> Response:
        """The e-mail question answered or skipped; a mistyped address is shown again
        with a message, nothing lost."""
        async with self._app.store.unit_of_work() as uow:
            chat = await uow.webchat.by_token(hashed)
        if chat is None:
            return RedirectResponse(PATH, status_code=303)
        typed = form.get("mail", "")
        address = parse_address(typed) if form.get("mail_action") == "give" else None
        if form.get("mail_action") == "give" and address is None:
            return await self._again(
                request, hashed, token, 422, reach_texts.BAD_ADDRESS, mail_typed=typed
            )
        said = reach_texts.SAVED if address is not None else reach_texts.SKIPPED
        try:
            async with self.transcripts.resident(hashed):
                if await self._reach.answered(chat.user_id, address):
                    await self.transcripts.change(
                        chat.user_id,
                        lambda t: t.said(
                            None,
                            [render_reply(Reply((msg(said),)), self._app.catalogs, t.language)],
                        ),
                        resident_at=self._clock(),
                    )
        except SQLAlchemyError:
            log.warning("an e-mail address could not be stored: try again", exc_info=True)
            return await self._again(request, hashed, token, 503, m.SAVE_FAILED, mail_typed=typed)
        response = RedirectResponse(PATH, status_code=303)
        self._set_cookie(response, token, session=_session(request))
        return response

    @staticmethod
    def _anchor(given: ChatInput | None, changed: Transcript | None) -> str:
        """After a multi-select toggle, the page opens at the toggled choice (and the
        focus stays there)."""
        last = changed.last_bot() if changed is not None else None
        if not isinstance(given, Pressed) or last is None or not last.multi:
            return ""
        if last.prompt != given.prompt:
            return ""
        for index, choice in enumerate(last.choices):
            if choice.id == given.choice:
                return f"#choice-{last.n}-{index}"
        return ""

    async def _may_start(self, client: str, now: datetime) -> bool:
        """A new chat is kept for days: one client starts at most so many an hour, and all
        together at most so many a day."""
        if self._starts.wait(client) is not None:
            log.warning("new web chats refused for one client (hourly limit)")
            return False
        async with self._app.store.unit_of_work() as uow:
            started = await uow.webchat.created_since(now - timedelta(seconds=DAY))
        if started >= self._app.settings.web_chats_per_day:
            log.warning("new web chats refused (daily limit)")
            return False
        self._starts.count(client)
        return True

    async def _again(
        self,
        request: Request,
        hashed: str,
        token: str,
        status: int,
        problem: str,
        typed: str = "",
        mail_typed: str = "",
    ) -> Response:
        """The chat as it stands, with why the form was not taken (and what was typed)."""
        async with self._app.store.unit_of_work() as uow:
            chat = await uow.webchat.by_token(hashed)
            offered = await uow.reporter_mail.offered(chat.user_id) if chat else None
        hint = accepted_language(request.headers.get("accept-language")) or "nl"
        transcript = (
            Transcript.from_json(chat.transcript, hint)
            if chat is not None
            else self._first_page(hint)
        )
        response = self._page(
            request,
            transcript,
            partner=None,
            status_code=status,
            problem=problem,
            typed=typed,
            mail_ask=offered is not None,
            mail_typed=mail_typed,
        )
        if status == 503:
            response.headers["Retry-After"] = "5"
        self._set_cookie(response, token, session=_session(request))
        return response


def _session(request: Request) -> bool:
    """Whether this browser's chat came by a mail's link (its cookie is a session cookie,
    marked by a second one that ends with it)."""
    return request.cookies.get(SESSION_MARK) == "1"


def routes(page: ChatPage) -> APIRouter:
    routes = APIRouter()

    @routes.get(PATH, include_in_schema=False)
    async def show(
        request: Request, partner: str | None = None, answer: str | None = None
    ) -> Response:
        return await page.show(request, partner, answer)

    @routes.post(PATH, include_in_schema=False)
    async def post(request: Request) -> Response:
        return await page.post(request)

    @routes.post(VOICE_PATH, include_in_schema=False)
    async def post_voice(request: Request) -> Response:
        return await page.post_voice(request)

    return routes
