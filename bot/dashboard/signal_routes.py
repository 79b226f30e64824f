"""One signal on the dashboard: its page, and what staff do there — the lifecycle actions
(taking it over with a reason; "cannot be followed up" with a reason and a confirmation),
a question to the reporter and an internal note — through the same code as the Telegram
buttons (``bot.staff.actions``: ``check_action`` decides).

A form with a mistake comes back with the message in red next to the field and what was
typed kept; what an action answers is shown on the page it redirects to (a refusal as an
error).
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Mapping
from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response
from starlette.datastructures import FormData

from core.followup.relay import contains_phone_number
from core.lifecycle import staff_texts as t
from core.lifecycle import table as lc
from core.lifecycle.sections import phone_parts
from core.lifecycle.staff_texts import status_label
from core.lifecycle.voice import note_header, transcript_line
from core.text.languages import STAFF_LANGUAGE
from core.text.msgids import Msg, Token, msg
from core.text.sanitize import clean_text

from . import signal_texts as st
from .access_history import access_text
from .auth import WebStaff, checked_form
from .context import DashboardContext
from .signal_view import signal_page

REFERENCE = re.compile(r"[A-Z]{2}-[0-9]{4}-[0-9]{4,9}")
MAX_QUESTION = 1000
MAX_NOTE = 2000
CONFIRMED = "cannot_follow_up"  # the action that asks for a confirmation too


def signal_reference(value: str) -> str:
    """The reference in a path ("sp-2026-0001 " is "SP-2026-0001"); "" when it cannot be
    one (then nothing is looked up: a NUL or a megabyte is not sent to the database)."""
    reference = value.strip().upper()
    return reference if REFERENCE.fullmatch(reference) else ""


def _field(form: FormData, name: str, limit: int) -> str:
    value = form.get(name)
    return value[: limit * 2] if isinstance(value, str) else ""


def action_problems(form: FormData) -> tuple[dict[str, Msg], dict[str, str]]:
    """What is missing from an action's form (a reason, the confirmation), by field id,
    and what was chosen (to show it again)."""
    action = lc.ACTIONS.get(_field(form, "action", 32))
    option = _field(form, "option", 32)
    errors: dict[str, Msg] = {}
    if action is None:
        return errors, {}
    typed = {f"option-{action.id}": option, f"confirm-{action.id}": _field(form, "confirm", 8)}
    if action.options and option not in action.options:
        errors[f"option-{action.id}"] = Msg(st.CHOOSE_FIRST)
    if action.id == CONFIRMED and _field(form, "confirm", 8) != "yes":
        errors[f"confirm-{action.id}"] = Msg(st.CONFIRM_FIRST)
    return errors, typed


def router(web: DashboardContext) -> APIRouter:
    routes = APIRouter()
    app = web.app
    hours, rules = app.followup.hours, app.settings.followup_rules()
    current = web.auth.current_staff

    async def show(
        request: Request,
        staff: WebStaff,
        reference: str,
        *,
        errors: Mapping[str, Msg] | None = None,
        typed: Mapping[str, str] | None = None,
    ) -> Response:
        now = web.clock()
        async with app.store.unit_of_work() as uow:
            live_after = await uow.changes.latest()  # before the signal: a later change is sent
            signal = await uow.signals.get_by_reference(reference) if reference else None
            if signal is None:
                await uow.audit.record(
                    at=now, actor=staff.actor, action="view", outcome="refused:unknown"
                )
                await uow.commit()
                return web.pages.render(
                    request, "error.html", status_code=404, message=st.UNKNOWN_SIGNAL
                )
            shown = await signal_page(
                uow,
                staff,
                signal,
                now=now,
                places=app.places,
                areas=app.areas,
                hours=hours,
                rules=rules,
            )
            await uow.commit()
        response = web.pages.render(
            request,
            "staff/signal.html",
            status_code=400 if errors else 200,
            staff=staff,
            nav="signals",
            flash=None if errors else web.flash.of(request),
            view=shown,
            nonce=secrets.token_urlsafe(16),
            channels=st.CHANNEL_LABELS,
            status_label=status_label,
            options_of=lambda a: tuple(a.options.items()),
            errors=dict(errors or {}),
            typed=dict(typed or {}),
            max_question=MAX_QUESTION,
            max_note=MAX_NOTE,
            phone_parts=phone_parts,
            access_text=access_text,
            live_after=live_after,
            note_header=note_header,
            transcript_line=transcript_line,
        )
        if not errors:
            web.flash.take(request, response)
        return response

    @routes.get("/loket/signalen/{reference}")
    async def signal_detail(
        request: Request, reference: str, staff: WebStaff = Depends(current)
    ) -> Response:
        return await show(request, staff, signal_reference(reference))

    def back(reference: str, text: Msg, *, error: bool = False) -> Response:
        response = RedirectResponse(f"/loket/signalen/{reference}", status_code=303)
        web.flash.set(response, render_text(text), error=error)
        return response

    def render_text(message: Any) -> str:
        return str(web.pages.texts(STAFF_LANGUAGE)["text"](message))

    def nonce_of(form: FormData) -> str | None:
        return _field(form, "nonce", 64)[:64] or None

    @routes.post("/loket/signalen/{reference}/actie")
    async def act(request: Request, reference: str, staff: WebStaff = Depends(current)) -> Response:
        form = await checked_form(request, staff)
        reference = signal_reference(reference)
        async with app.store.unit_of_work() as uow:
            signal = await uow.signals.get_by_reference(reference) if reference else None
        if signal is None:
            return RedirectResponse("/loket/", status_code=303)
        errors, typed = action_problems(form)
        if errors:
            return await show(request, staff, reference, errors=errors, typed=typed)
        nonce = nonce_of(form)
        result = await app.actions.act(
            _field(form, "action", 32),
            signal.id,
            actor=staff.actor,
            now=web.clock(),
            option=_field(form, "option", 32) or None,
            update_key=f"form:{nonce}" if nonce else None,
        )
        if result is None:  # the same form sent twice: done the first time
            return RedirectResponse(f"/loket/signalen/{reference}", status_code=303)
        text = result.text
        if result.done and result.action == "claim":
            text = msg(st.WEB_CLAIM_DONE, reference=Token(reference))
        return back(reference, text, error=not result.done)

    @routes.post("/loket/signalen/{reference}/vraag")
    async def ask(request: Request, reference: str, staff: WebStaff = Depends(current)) -> Response:
        form = await checked_form(request, staff)
        reference = signal_reference(reference)
        if not reference:
            return RedirectResponse("/loket/", status_code=303)
        question = _field(form, "question", MAX_QUESTION)
        problem = None
        if not clean_text(question):
            problem = Msg(st.TYPE_QUESTION)
        elif contains_phone_number(question):
            problem = Msg(t.ASK_NO_PHONE)
        elif len(question) > MAX_QUESTION:
            problem = msg(st.TOO_LONG, max=MAX_QUESTION)
        if problem is not None:
            typed = {"question": question}
            return await show(request, staff, reference, errors={"question": problem}, typed=typed)
        nonce = nonce_of(form)
        reply = await app.actions.ask(
            reference,
            question,
            actor=staff.actor,
            now=web.clock(),
            update_key=f"form:{nonce}" if nonce else None,
        )
        if reply is None:
            return RedirectResponse(f"/loket/signalen/{reference}", status_code=303)
        return back(reference, reply, error=reply.msgid != t.ASK_SENT)

    @routes.post("/loket/signalen/{reference}/notitie")
    async def note(
        request: Request, reference: str, staff: WebStaff = Depends(current)
    ) -> Response:
        form = await checked_form(request, staff)
        reference = signal_reference(reference)
        if not reference:
            return RedirectResponse("/loket/", status_code=303)
        typed = _field(form, "note", MAX_NOTE)
        text = clean_text(typed).strip()
        problem = None
        if not text:
            problem = Msg(st.TYPE_NOTE)
        elif len(text) > MAX_NOTE:
            problem = msg(st.TOO_LONG, max=MAX_NOTE)
        if problem is not None:
            errors = {"note": problem}
            return await show(request, staff, reference, errors=errors, typed={"note": typed})
        nonce = nonce_of(form)
        result = await app.actions.note(
            reference,
            text,
            actor=staff.actor,
            now=web.clock(),
            update_key=f"form:{nonce}" if nonce else None,
        )
        if result is None:
            return RedirectResponse(f"/loket/signalen/{reference}", status_code=303)
        return back(reference, result.text, error=not result.done)

    return routes
