"""The dashboard's partners: the list with each partner's links (Telegram deep link,
WhatsApp, web chat), adding one (regisseur and admin), and a poster for the shop counter
with the links as QR codes (SVG made by segno, served from here: nothing third-party)."""

from __future__ import annotations

import io
from dataclasses import dataclass
from typing import Any

import segno
from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy.exc import IntegrityError
from starlette.exceptions import HTTPException

from bot.staff.partners import (
    CODE_PATTERN,
    MAX_NAME,
    partner_code,
    public_base,
    telegram_link,
    web_chat_link,
    whatsapp_link,
)
from core.dialog import messages as m
from core.lifecycle.table import DETAIL_VIEWERS
from core.text.languages import LANGUAGES, STAFF_LANGUAGE, language_name
from core.text.msgids import N_, P_, Msg, Token, msg, safety_params
from storage.records import PartnerRecord

from .auth import WebStaff, checked_form, require_role
from .context import DashboardContext
from .partner_form import ROLES, Typed, problem

PARTNERS_PATH = "/loket/partners"
MANAGERS = DETAIL_VIEWERS  # regisseur and admin add partners; every role sees them
QR_OPTIONS: dict[str, Any] = {
    "kind": "svg",
    "scale": 8,
    "border": 4,
    "dark": "#000",
    "light": "#fff",
}
QR_ERROR = "m"  # survives a scratch or a sticker's glare

LINK_LABELS = {"web": N_("Web chat"), "telegram": N_("Telegram"), "whatsapp": N_("WhatsApp")}
ADD_FAILED = N_("The partner could not be added just now. Please try again.")
ADDED = N_("Partner %(name)s added. Their links and poster are below.")
QR_ALT = N_("QR code of the %(kind)s link")
POSTER_TITLE = P_("poster for the shop counter", "Worried about someone?")
POSTER_TEXT = P_(
    "poster for the shop counter",
    "Do you think someone may be lonely? Tell the municipality. It takes about 2 minutes, you can "
    "write in your own language, and we keep your report confidential.",
)
POSTER_SCAN = P_(
    "poster for the shop counter",
    "Scan a code with your phone's camera, or ask us at the counter.",
)
# Translators: %(phone)s is the municipality's number, like "14 0115".
POSTER_CALL = P_("poster for the shop counter", "Or call the municipality: %(phone)s")


@dataclass(frozen=True)
class PartnerLinks:
    partner: PartnerRecord
    links: tuple[tuple[str, str], ...]  # (kind, URL): web chat, Telegram, WhatsApp


def _links(web: DashboardContext, partner: PartnerRecord) -> PartnerLinks:
    settings = web.app.settings
    base = public_base(settings.public_url, settings.http_host, settings.http_port)
    links = [("web", web_chat_link(base, partner.code))]
    if settings.telegram_bot_username:
        links.append(("telegram", telegram_link(settings.telegram_bot_username, partner.code)))
    if settings.whatsapp_display_number:
        links.append(("whatsapp", whatsapp_link(settings.whatsapp_display_number, partner.code)))
    return PartnerLinks(partner, tuple(links))


def qr_svg(link: str) -> bytes:
    """The QR code of ``link`` as an SVG document."""
    out = io.BytesIO()
    segno.make(link, error=QR_ERROR, micro=False).save(out, **QR_OPTIONS)
    return out.getvalue()


def router(web: DashboardContext) -> APIRouter:
    routes = APIRouter()
    app = web.app
    current = web.auth.current_staff
    places = {p.id for p in app.places}

    async def list_page(
        request: Request,
        staff: WebStaff,
        *,
        errors: dict[str, Msg] | None = None,
        typed: Typed | None = None,
        status_code: int = 200,
    ) -> Response:
        async with app.store.unit_of_work() as uow:
            partners = await uow.partners.all()
            managers = [
                s.display_name
                for role in sorted(MANAGERS)
                for s in await uow.staff.active_with_role(role)
            ]
        response = web.pages.render(
            request,
            "staff/partners.html",
            status_code=status_code,
            staff=staff,
            nav="partners",
            flash=None if errors else web.flash.of(request),
            partners=[_links(web, p) for p in partners if p.active],
            inactive=[p for p in partners if not p.active],
            may_add=staff.role in MANAGERS,
            managers=sorted(set(managers)),
            errors=errors or {},
            typed=typed or Typed(),
            roles=ROLES,
            places=[(p.id, p.name) for p in app.places],
            max_name=MAX_NAME,
            labels=LINK_LABELS,
            telegram_known=bool(app.settings.telegram_bot_username),
            whatsapp_known=bool(app.settings.whatsapp_display_number),
        )
        if not errors:
            web.flash.take(request, response)
        return response

    @routes.get(PARTNERS_PATH)
    async def partners(request: Request, staff: WebStaff = Depends(current)) -> Response:
        return await list_page(request, staff)

    @routes.post(PARTNERS_PATH)
    async def add(request: Request, staff: WebStaff = Depends(current)) -> Response:
        form = await checked_form(request, staff)
        require_role(staff, MANAGERS)
        typed = Typed.read(form)
        now = web.clock()
        async with app.store.unit_of_work() as uow:
            taken = await uow.partners.all()
            wrong = problem(typed, taken, places)
            if wrong is None:
                try:
                    added = await uow.partners.add(
                        partner_code(typed.clean_name, {p.code for p in taken}),
                        typed.clean_name,
                        now,
                        role=typed.role,
                        area=typed.area or None,
                        postcode=typed.clean_postcode,
                    )
                    await uow.audit.record(
                        at=now, actor=staff.actor, action="partner_add", outcome="ok"
                    )
                    await uow.commit()
                except IntegrityError:  # another one took the same code just now
                    wrong = "name", Msg(ADD_FAILED)
        if wrong is not None:
            field, message = wrong
            errors = {field: message}
            return await list_page(request, staff, errors=errors, typed=typed, status_code=400)
        response = RedirectResponse(f"{PARTNERS_PATH}#partner-{added.code}", status_code=303)
        text = web.pages.texts(STAFF_LANGUAGE)["text"](msg(ADDED, name=Token(added.name)))
        web.flash.set(response, str(text))
        return response

    async def found(code: str) -> PartnerLinks:
        async with app.store.unit_of_work() as uow:
            partner = await uow.partners.by_code(code) if CODE_PATTERN.fullmatch(code) else None
        if partner is None:
            raise HTTPException(status_code=404)
        return _links(web, partner)

    @routes.get(PARTNERS_PATH + "/{code}/poster")
    async def poster(request: Request, code: str, staff: WebStaff = Depends(current)) -> Response:
        return web.pages.render(
            request,
            "staff/partners_poster.html",
            staff=staff,
            nav="partners",
            shown=await found(code),
            labels=LINK_LABELS,
            qr_alt=QR_ALT,
            title=POSTER_TITLE,
            body=POSTER_TEXT,
            scan=POSTER_SCAN,
            call=POSTER_CALL,
            safety=Msg(m.SAFETY, safety_params()),
            language_names=[(code, language_name(code, code)) for code in LANGUAGES],
        )

    @routes.get(PARTNERS_PATH + "/{code}/qr-{kind}.svg")
    async def qr(code: str, kind: str, staff: WebStaff = Depends(current)) -> Response:
        links = dict((await found(code)).links)
        if kind not in links:
            raise HTTPException(status_code=404)
        return Response(
            qr_svg(links[kind]),
            media_type="image/svg+xml",
            headers={"Cache-Control": "no-store", "X-Content-Type-Options": "nosniff"},
        )

    return routes
