"""The telephone intake: staff type in a signal a caller gives by phone, on one form made
from the same flow as the chat (``core.dialog.intake``), stored with channel "phone".

A form carries a one-time id, recorded with the signal in one transaction, so a double
click or a reload stores it once; a repeat goes to the signal list.
"""

from __future__ import annotations

import logging
import re
from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy.exc import SQLAlchemyError

from bot.outbox.kinds import when_stored
from bot.web.errors import BROKEN
from bot.web.security import new_token
from core.dialog import intake
from core.dialog import messages as m
from core.dialog.flows import REPORT_OTHER, REPORT_SELF
from core.dialog.model import Flow
from core.lifecycle.staff_texts import PHONE_CHANNEL
from core.text.languages import STAFF_LANGUAGE
from core.text.msgids import N_, Msg, Token, msg, safety_params

from .auth import WebStaff, checked_form
from .context import DashboardContext

log = logging.getLogger(__name__)

INTAKE_PATH = "/loket/telefoon"
FORM_ID = "form_id"
_FORM_ID = re.compile(r"[A-Za-z0-9_\-]{16,64}")
FLOWS: dict[str, Flow] = {"other": REPORT_OTHER, "self": REPORT_SELF}

SAVED = N_("Telephone report %(reference)s is saved. The loket has been told.")
SAVED_AND_MINE = N_("Telephone report %(reference)s is saved, and you picked it up.")
TAKE_IT = "take_it"  # the form's "I pick it up myself" box
FORM_AGAIN = N_("Please check the answers and send the form again.")
ALREADY_SAVED = N_("This telephone report was already saved.")


def field_id(question_id: str, index: int | None = None) -> str:
    """The HTML id of a question's input (of its first option, for a group)."""
    return f"q-{question_id}" if index is None else f"q-{question_id}-{index}"


def _values(form: Any) -> dict[str, list[str]]:
    values: dict[str, list[str]] = {}
    for name, value in form.multi_items():
        if isinstance(value, str):
            values.setdefault(name, []).append(value)
    return values


def _summary(flow: Flow, errors: dict[str, Msg]) -> list[tuple[str, Msg]]:
    """(the id to jump to, "label: problem") for the error summary at the top."""
    questions = {q.id: q for q in intake.form_questions(flow, ())}
    lines = []
    for name, error in errors.items():
        if name == intake.PARTNER_FIELD:
            label = Msg(N_("Partner"))
            target = field_id(name)
        elif name == FORM_ID:
            lines.append((field_id("submit"), error))
            continue
        else:
            question = questions[name]
            label = Msg(flow.step(name).shown_label(staff=True))
            grouped = question.widget in {intake.Widget.RADIO, intake.Widget.CHECKBOX}
            target = field_id(name, 0) if grouped else field_id(name)
            if question.widget == intake.Widget.PLACE:
                target = field_id(question.postcode_field)
        lines.append((target, Msg(m.SUMMARY_LINE, {"label": label, "value": error})))
    return lines


def router(web: DashboardContext) -> APIRouter:
    routes = APIRouter()
    app = web.app
    current = web.auth.current_staff

    async def form_page(
        request: Request,
        staff: WebStaff,
        kind: str,
        *,
        values: dict[str, list[str]],
        errors: dict[str, Msg],
        form_id: str,
        status_code: int = 200,
    ) -> Response:
        flow = FLOWS[kind]
        async with app.store.unit_of_work() as uow:
            partners = await uow.partners.all(active=True)
        return web.pages.render(
            request,
            "staff/intake_form.html",
            status_code=status_code,
            staff=staff,
            nav="intake",
            kind=kind,
            flow=flow,
            questions=intake.form_questions(flow, app.places),
            partners=partners,
            values=values,
            errors=errors,
            summary=_summary(flow, errors),
            form_id=form_id,
            field_id=field_id,
            safety=Msg(m.SAFETY, safety_params()),
            partner_field=intake.PARTNER_FIELD,
            take_it=values.get(TAKE_IT, ["yes"] if not values else []) == ["yes"],
        )

    @routes.get(INTAKE_PATH)
    async def choose(request: Request, staff: WebStaff = Depends(current)) -> Response:
        return web.pages.render(request, "staff/intake.html", staff=staff, nav="intake")

    @routes.get(INTAKE_PATH + "/{kind}")
    async def blank(request: Request, kind: str, staff: WebStaff = Depends(current)) -> Response:
        if kind not in FLOWS:
            return RedirectResponse(INTAKE_PATH, status_code=303)
        return await form_page(request, staff, kind, values={}, errors={}, form_id=new_token())

    @routes.post(INTAKE_PATH + "/{kind}")
    async def submit(request: Request, kind: str, staff: WebStaff = Depends(current)) -> Response:
        form = await checked_form(request, staff)
        if kind not in FLOWS:
            return RedirectResponse(INTAKE_PATH, status_code=303)
        flow = FLOWS[kind]
        values = _values(form)
        form_id = (values.get(FORM_ID) or [""])[0]
        async with app.store.unit_of_work() as uow:
            partner_codes = {p.code for p in await uow.partners.all(active=True)}
        result = intake.read_form(flow, values, app.places, partner_codes)
        if not _FORM_ID.fullmatch(form_id):  # a form not from this page: a fresh id, resend
            errors = dict(result.errors) if isinstance(result, intake.Rejected) else {}
            errors[FORM_ID] = msg(FORM_AGAIN)
            return await form_page(
                request,
                staff,
                kind,
                values=values,
                errors=errors,
                form_id=new_token(),
                status_code=400,
            )
        if isinstance(result, intake.Rejected):
            return await form_page(
                request,
                staff,
                kind,
                values=values,
                errors=dict(result.errors),
                form_id=form_id,
                status_code=400,
            )
        now = web.clock()
        draft = intake.intake_draft(flow, result, now)
        try:
            async with app.store.unit_of_work() as uow:
                signal_id = None
                if not await uow.inbound.record(PHONE_CHANNEL, form_id, now):
                    reference = None
                else:
                    stored = await uow.signals.add(
                        draft, reporter_id=None, channel=PHONE_CHANNEL, now=now, actor=staff.actor
                    )
                    await uow.outbox.enqueue_many(when_stored(stored), now)
                    await uow.audit.record(
                        at=now,
                        actor=staff.actor,
                        action="intake",
                        outcome="ok",
                        signal_id=stored.id,
                    )
                    reference, signal_id = stored.reference, stored.id
                await uow.commit()
        except SQLAlchemyError:
            # Nothing was stored: the form comes back filled in (with its id, so sending it
            # again stores it once).
            log.warning("a telephone report could not be stored: try again", exc_info=True)
            return await form_page(
                request,
                staff,
                kind,
                values=values,
                errors={FORM_ID: msg(BROKEN)},
                form_id=form_id,
                status_code=503,
            )
        if reference is None or signal_id is None:
            response = RedirectResponse("/loket/", status_code=303)
            web.flash.set(response, render_text(Msg(ALREADY_SAVED)))
            return response
        app.outbox_wake.set()
        saved = SAVED
        if values.get(TAKE_IT) == ["yes"]:  # she spoke to the caller: usually she takes it on
            claimed = await app.actions.act("claim", signal_id, actor=staff.actor, now=now)
            saved = SAVED_AND_MINE if claimed is not None and claimed.done else SAVED
        # The full signal: who typed it in may read it, whether she picked it up or not.
        response = RedirectResponse(f"/loket/signalen/{reference}", status_code=303)
        web.flash.set(response, render_text(msg(saved, reference=Token(reference))))
        return response

    def render_text(message: Msg) -> str:
        return str(web.pages.texts(STAFF_LANGUAGE)["text"](message))

    return routes
