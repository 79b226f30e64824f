"""The dashboard's signal pages: the filtered list, one signal, and the lifecycle actions
and questions to the reporter, through the same core code as the Telegram buttons
(``bot.staff.actions``: ``check_action`` decides)."""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response

from bot.staff.partners import CODE_PATTERN
from core.followup import rules as f
from core.followup.rules import SignalClock
from core.followup.workdays import WorkingHours
from core.lifecycle import table as lc
from core.lifecycle.staff_texts import status_label
from core.lifecycle.voice import note_header, transcript_line
from core.text.languages import STAFF_LANGUAGE
from core.text.msgids import Token, msg
from storage.listing import SignalFilter, SignalRow
from storage.uow import UnitOfWork

from . import signal_texts as st
from .auth import WebStaff, checked_form
from .context import WebContext
from .signal_view import signal_page

PAGE_SIZE = 50
MAX_PAGE = 10_000
REFERENCE = re.compile(r"[A-Z]{2}-[0-9]{4}-[0-9]{4,9}")


def _clock(row: SignalRow) -> SignalClock:
    return SignalClock(
        id=row.id,
        reference=row.reference,
        status=row.status,
        urgent=row.urgent,
        created_at=row.created_at,
        status_at=row.status_at,
    )


@dataclass(frozen=True)
class ListPage:
    rows: list[SignalRow]
    total: int
    overdue: set[int]  # the ids of the shown rows that are past their deadline


async def list_page(
    uow: UnitOfWork,
    wanted: SignalFilter,
    *,
    page: int,
    overdue_only: bool,
    now: datetime,
    hours: WorkingHours,
    rules: f.FollowUpRules,
) -> ListPage:
    """What the signal list shows (also what ``bench.scale`` times)."""
    if overdue_only:  # in SQL: per status, who entered it before its deadline ran out
        wanted = replace(wanted, entered_by=f.overdue_cutoffs(now, hours, rules))
    rows, total = await uow.listing.page(wanted, offset=(page - 1) * PAGE_SIZE, limit=PAGE_SIZE)
    # The badges: the shown rows carry what the follow-up rules need.
    overdue = {r.id for r in rows if f.is_overdue(_clock(r), now, hours, rules)}
    return ListPage(rows, total, overdue)


def _choice(value: str | None, allowed: set[str]) -> str | None:
    return value if value in allowed else None


def _partner(value: str | None) -> str | None:
    return value if value and CODE_PATTERN.fullmatch(value) else None


def signal_reference(value: str) -> str:
    """The reference in a path ("sp-2026-0001 " is "SP-2026-0001"); "" when it cannot be
    one (then nothing is looked up: a NUL or a megabyte is not sent to the database)."""
    reference = value.strip().upper()
    return reference if REFERENCE.fullmatch(reference) else ""


def ascii_digits(text: str) -> bool:
    """Only 0-9 (``str.isdigit`` also takes "²", "①" and other scripts' digits)."""
    return text.isascii() and text.isdigit()


def router(web: WebContext) -> APIRouter:
    routes = APIRouter()
    app = web.app
    hours, rules = app.followup.hours, app.settings.followup_rules()
    current = web.auth.current_staff

    def page(request: Request, name: str, staff: WebStaff, **context: Any) -> Response:
        response = web.pages.render(
            request,
            name,
            staff=staff,
            nav="signals",
            flash=web.flash.of(request),
            **context,
        )
        web.flash.take(request, response)
        return response

    @routes.get("/loket/")
    async def signal_list(request: Request, staff: WebStaff = Depends(current)) -> Response:
        query = request.query_params
        statuses = {*lc.STATUS_LABELS, "open", "finished", "all"}
        status = _choice(query.get("status"), statuses) or "open"
        places = {p.id for p in app.places}
        postcode = (query.get("postcode") or "").strip()
        wanted = SignalFilter(
            status=None if status == "all" else status,
            urgent={"yes": True, "no": False}.get(query.get("urgent") or ""),
            area=_choice(query.get("area"), places),
            postcode4=postcode if ascii_digits(postcode) and len(postcode) == 4 else None,
            partner=_partner(query.get("partner")),
            channel=_choice(query.get("channel"), set(st.CHANNEL_LABELS)),
            assignee_id=staff.record.id if query.get("mine") == "1" else None,
        )
        overdue_only = query.get("overdue") == "1"
        number = query.get("page") or "1"
        # Digits 0-9 only: "²" or "①" pass str.isdigit() but not int(), and a page of a
        # thousand digits is no page either.
        wanted_page = int(number) if ascii_digits(number) and len(number) <= 6 else 1
        current_page = min(max(wanted_page, 1), MAX_PAGE)
        now = web.clock()
        async with app.store.unit_of_work() as uow:
            shown_page = await list_page(
                uow,
                wanted,
                page=current_page,
                overdue_only=overdue_only,
                now=now,
                hours=hours,
                rules=rules,
            )
            partners = await uow.partners.all()
        rows, total = shown_page.rows, shown_page.total
        pages = max(1, -(-total // PAGE_SIZE))
        shown = {k: v for k, v in query.items() if k != "page" and v}
        return page(
            request,
            "staff/signals.html",
            staff,
            rows=rows,
            total=total,
            overdue=shown_page.overdue,
            page_number=current_page,
            pages=pages,
            query=shown,
            status=status,
            partners=partners,
            partner_names={p.code: p.name for p in partners},
            places=app.places,
            place_names={p.id: p.name for p in app.places},
            statuses=lc.STATUS_LABELS,
            channels=st.CHANNEL_LABELS,
            overdue_only=overdue_only,
            postcode=postcode,
        )

    @routes.get("/loket/signalen/{reference}")
    async def signal_detail(
        request: Request, reference: str, staff: WebStaff = Depends(current)
    ) -> Response:
        now = web.clock()
        async with app.store.unit_of_work() as uow:
            reference = signal_reference(reference)
            signal = await uow.signals.get_by_reference(reference) if reference else None
            if signal is None:
                await uow.audit.record(
                    at=now, actor=staff.actor, action="view", outcome="refused:unknown"
                )
                await uow.commit()
                return web.pages.render(
                    request,
                    "error.html",
                    status_code=404,
                    message=st.UNKNOWN_SIGNAL,
                )
            shown = await signal_page(
                uow, staff, signal, now=now, places=app.places, hours=hours, rules=rules
            )
            await uow.commit()
        return page(
            request,
            "staff/signal.html",
            staff,
            view=shown,
            nonce=secrets.token_urlsafe(16),
            channels=st.CHANNEL_LABELS,
            status_label=status_label,
            options_of=lambda a: tuple(a.options.items()),
            note_header=note_header,
            transcript_line=transcript_line,
        )

    def back(reference: str, text: str) -> Response:
        response = RedirectResponse(f"/loket/signalen/{reference}", status_code=303)
        web.flash.set(response, text)
        return response

    def render_text(message: Any) -> str:
        return str(web.pages.texts(STAFF_LANGUAGE)["text"](message))

    @routes.post("/loket/signalen/{reference}/actie")
    async def act(request: Request, reference: str, staff: WebStaff = Depends(current)) -> Response:
        form = await checked_form(request, staff)
        reference = signal_reference(reference)
        action = str(form.get("action") or "")
        option = str(form.get("option") or "") or None
        nonce = str(form.get("nonce") or "")[:64] or None
        async with app.store.unit_of_work() as uow:
            signal = await uow.signals.get_by_reference(reference) if reference else None
        if signal is None:
            return RedirectResponse("/loket/", status_code=303)
        result = await app.actions.act(
            action,
            signal.id,
            staff_id=staff.record.id,
            now=web.clock(),
            option=option,
            update_key=f"form:{nonce}" if nonce else None,
        )
        if result is None:  # the same form sent twice: done the first time
            return RedirectResponse(f"/loket/signalen/{reference}", status_code=303)
        text = result.text
        if result.done and result.action == "claim":
            text = msg(st.WEB_CLAIM_DONE, reference=Token(reference))
        return back(reference, render_text(text))

    @routes.post("/loket/signalen/{reference}/vraag")
    async def ask(request: Request, reference: str, staff: WebStaff = Depends(current)) -> Response:
        form = await checked_form(request, staff)
        reference = signal_reference(reference)
        if not reference:
            return RedirectResponse("/loket/", status_code=303)
        question = str(form.get("question") or "")[:1000]
        nonce = str(form.get("nonce") or "")[:64] or None
        reply = await app.actions.ask(
            reference,
            question,
            staff_id=staff.record.id,
            now=web.clock(),
            update_key=f"form:{nonce}" if nonce else None,
        )
        if reply is None:
            return RedirectResponse(f"/loket/signalen/{reference}", status_code=303)
        return back(reference, render_text(reply))

    return routes
