"""The monitoring page for the regisseur: the figures of a period as charts and tables,
and each figure as a CSV file. Regisseur and admin only; every view and download is in
the access history (``figures``, no signal). Counts only: no personal field is read.

``?period=4w|12w|this_year|last_year`` or ``?from=2026-01-01&to=2026-03-31``; a period
that cannot be used shows the last 12 weeks and says why (the typed dates stay).
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from starlette.exceptions import HTTPException

from bot.dashboard.auth import WebStaff, require_role
from bot.dashboard.context import DashboardContext
from core.lifecycle.table import DETAIL_VIEWERS
from core.monitoring.figures import Figures
from core.monitoring.period import PRESETS, PeriodChoice, choose_period, local_date
from core.text.languages import STAFF_LANGUAGE

from .csv_files import figure_csv, file_name
from .report import ABOUT, README, all_files, council_report
from .sections import SectionMaker, sections
from .views import FIGURE_IDS, Labels, PageViews, page_views

MONITORING_PATH = "/loket/monitoring"
AUDIT_ACTION = "figures"
MAX_PARAM = 40  # a date or a preset is short; anything longer is not one


@dataclass(frozen=True)
class Computed:
    choice: PeriodChoice
    figures: Figures
    views: PageViews


def _param(request: Request, name: str) -> str | None:
    value = request.query_params.get(name)
    return value[:MAX_PARAM] if value is not None else None


def period_query(choice: PeriodChoice) -> str:
    """The query string that asks for exactly the period shown."""
    period = choice.period
    return urlencode({"from": period.first.isoformat(), "to": period.last.isoformat()})


def router(web: DashboardContext) -> APIRouter:
    routes = APIRouter()
    app = web.app
    hours, rules = app.followup.hours, app.settings.followup_rules()
    current = web.auth.current_staff
    texts = web.pages.texts(STAFF_LANGUAGE)

    async def allowed(staff: WebStaff, outcome: str) -> None:
        """The role check, recorded either way."""
        ok = staff.role in DETAIL_VIEWERS
        async with app.store.unit_of_work() as uow:
            await uow.audit.record(
                at=web.clock(),
                actor=staff.actor,
                action=AUDIT_ACTION,
                outcome=outcome if ok else "refused:role",
            )
            await uow.commit()
        require_role(staff, DETAIL_VIEWERS)

    async def compute(request: Request) -> Computed:
        now = web.clock()
        choice = choose_period(
            local_date(now),
            preset=_param(request, "period"),
            first=_param(request, "from"),
            last=_param(request, "to"),
        )
        rows = await app.store.figure_rows(choice.period, now=now, hours=hours, rules=rules)
        async with app.store.unit_of_work() as uow:
            partners = await uow.partners.all()
        figures = rows.figures(choice.period, app.areas.by_postcode)
        labels = Labels(texts["_"], app.places, partners)
        return Computed(choice, figures, page_views(figures, labels))

    @routes.get(MONITORING_PATH)
    async def monitoring(request: Request, staff: WebStaff = Depends(current)) -> Response:
        await allowed(staff, "ok")
        computed = await compute(request)
        choice = computed.choice
        maker = SectionMaker(texts["_"], texts["ngettext"], STAFF_LANGUAGE)
        typed = choice.typed or {
            "from": choice.period.first.isoformat(),
            "to": choice.period.last.isoformat(),
        }
        return web.pages.render(
            request,
            "staff/monitoring.html",
            status_code=400 if choice.error else 200,
            staff=staff,
            nav="monitoring",
            choice=choice,
            presets=PRESETS,
            typed=typed,
            first_day=maker.day(choice.period.first),
            last_day=maker.day(choice.period.last),
            figures=computed.figures,
            sections=sections(computed.views, maker, rules),
            query=period_query(choice),
        )

    @routes.get(MONITORING_PATH + "/{figure}.csv")
    async def figure_file(
        request: Request, figure: str, staff: WebStaff = Depends(current)
    ) -> Response:
        if figure not in FIGURE_IDS:
            raise HTTPException(status_code=404)
        await allowed(staff, f"csv:{figure}")
        computed = await compute(request)
        if computed.choice.error:
            return web.pages.render(
                request, "error.html", status_code=400, message=computed.choice.error
            )
        body = figure_csv(figure, computed.views, texts["_"])
        assert body is not None  # every id of FIGURE_IDS has a file
        name = file_name(figure, computed.choice.period)
        return download(body, name, "text/csv; charset=utf-8")

    def download(body: bytes, name: str, media_type: str) -> Response:
        return Response(
            body,
            media_type=media_type,
            headers={
                "Content-Disposition": f'attachment; filename="{name}"',
                "Cache-Control": "no-store",
                "X-Content-Type-Options": "nosniff",
            },
        )

    @routes.get(MONITORING_PATH + "/alles.zip")
    async def everything(request: Request, staff: WebStaff = Depends(current)) -> Response:
        await allowed(staff, "zip")
        computed = await compute(request)
        if computed.choice.error:
            return web.pages.render(
                request, "error.html", status_code=400, message=computed.choice.error
            )
        period = computed.choice.period
        maker = SectionMaker(texts["_"], texts["ngettext"], STAFF_LANGUAGE)
        readme = texts["_"](README) % {
            "first": maker.day(period.first),
            "last": maker.day(period.last),
        }
        body = all_files(computed.views, period, texts["_"], readme)
        return download(body, f"signaalpunt-cijfers-{period.slug}.zip", "application/zip")

    @routes.get(MONITORING_PATH + "/raad")
    async def council(request: Request, staff: WebStaff = Depends(current)) -> Response:
        await allowed(staff, "report")
        computed = await compute(request)
        choice = computed.choice
        maker = SectionMaker(texts["_"], texts["ngettext"], STAFF_LANGUAGE)
        notes = {s.id: s.note for s in sections(computed.views, maker, rules)}
        figures = computed.figures
        return web.pages.render(
            request,
            "staff/council_report.html",
            status_code=400 if choice.error else 200,
            staff=staff,
            nav="monitoring",
            choice=choice,
            first_day=maker.day(choice.period.first),
            last_day=maker.day(choice.period.last),
            made_on=maker.day(local_date(web.clock())),
            report=council_report(computed.views, figures.total, figures.still_open, maker, notes),
            query=period_query(choice),
            about=ABOUT,
        )

    return routes
