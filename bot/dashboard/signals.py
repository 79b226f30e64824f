"""The dashboard's signal list: filters, a search by reference, postcode or phone number,
the order, the page; and the same list as a CSV file for a regisseur or admin (non-personal
columns only, every download in the access history)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from babel.dates import format_date
from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from bot.dashboard.monitoring.csv_files import write_csv
from core.lifecycle import table as lc
from core.lifecycle.table import DETAIL_VIEWERS
from core.text.languages import STAFF_LANGUAGE
from core.text.msgids import Msg, Param
from core.text.render import AMSTERDAM

from . import signal_texts as st
from .auth import WebStaff, require_role
from .context import DashboardContext
from .signal_list import (
    EXPORT_LIMIT,
    ORDER_LABELS,
    PAGE_SIZE,
    export_rows,
    list_page,
    read_query,
    shown_rows,
)

__all__ = ["PAGE_SIZE", "list_page", "router"]
EXPORT_ACTION = "export"


def router(web: DashboardContext) -> APIRouter:
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
        asked = read_query(
            request.query_params, places=app.places, areas=app.areas, staff_id=staff.record.id
        )
        async with app.store.unit_of_work() as uow:
            live_after = await uow.changes.latest()  # before the rows: a later change is sent
            shown_page = await list_page(
                uow,
                asked.wanted,
                page=asked.page,
                overdue_only=asked.overdue_only,
                now=web.clock(),
                hours=hours,
                rules=rules,
                order=asked.order,
            )
            partners = await uow.partners.all()
        partner_names = {p.code: p.name for p in partners}
        rows = shown_rows(
            shown_page,
            places=app.places,
            areas=app.areas,
            partner_names=partner_names,
            hours=hours,
            rules=rules,
        )
        total = shown_page.total
        return page(
            request,
            "staff/signals.html",
            staff,
            status_code=400 if asked.search_error else 200,
            rows=rows,
            total=total,
            asked=asked,
            page_number=asked.page,
            pages=max(1, -(-total // PAGE_SIZE)),
            query=asked.shown,
            partners=partners,
            places=app.places,
            statuses=lc.STATUS_LABELS,
            channels=st.CHANNEL_LABELS,
            orders=ORDER_LABELS,
            may_export=staff.role in DETAIL_VIEWERS,
            live_after=live_after,
        )

    @routes.get("/loket/signalen.csv")
    async def export(request: Request, staff: WebStaff = Depends(current)) -> Response:
        now = web.clock()
        allowed = staff.role in DETAIL_VIEWERS
        asked = read_query(
            request.query_params, places=app.places, areas=app.areas, staff_id=staff.record.id
        )
        async with app.store.unit_of_work() as uow:
            await uow.audit.record(
                at=now,
                actor=staff.actor,
                action=EXPORT_ACTION,
                outcome="signals" if allowed else "refused:role",
            )
            await uow.commit()
        require_role(staff, DETAIL_VIEWERS)
        async with app.store.unit_of_work() as uow:
            listed = await list_page(
                uow,
                asked.wanted,
                page=1,
                overdue_only=asked.overdue_only,
                now=now,
                hours=hours,
                rules=rules,
                order=asked.order,
                size=EXPORT_LIMIT,
            )
            partners = {p.code: p.name for p in await uow.partners.all()}
        rows = shown_rows(
            listed,
            places=app.places,
            areas=app.areas,
            partner_names=partners,
            hours=hours,
            rules=rules,
        )
        texts = web.pages.texts(STAFF_LANGUAGE)

        def text(value: Msg | Param) -> str:
            return str(texts["text"](value))

        def day(moment: datetime) -> str:
            return format_date(moment.astimezone(AMSTERDAM), "yyyy-MM-dd", locale="nl")

        body = write_csv(export_rows(rows, text, day))
        name = f"signaalpunt-signalen-{day(now)}.csv"
        return Response(
            body,
            media_type="text/csv; charset=utf-8",
            headers={
                "Content-Disposition": f'attachment; filename="{name}"',
                "Cache-Control": "no-store",
                "X-Content-Type-Options": "nosniff",
            },
        )

    return routes
