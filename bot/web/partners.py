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

from conversations import messages as m
from conversations.text import N_, STAFF_LANGUAGE, Msg, Token, msg, safety_params
from storage.records import PartnerRecord

from ..actions import DETAIL_VIEWERS
from ..partners import (
    CODE_PATTERN,
    MAX_NAME,
    partner_code,
    partner_name,
    public_base,
    telegram_link,
    web_chat_link,
    whatsapp_link,
)
from .auth import WebStaff, checked_form, require_role
from .context import WebContext

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
NAME_MISSING = N_("Please type the partner's name.")
NAME_TOO_LONG = N_("The name is too long: at most %(max)s characters.")
NAME_TAKEN = N_("There is already a partner with this name.")
ADD_FAILED = N_("The partner could not be added just now. Please try again.")
ADDED = N_("Partner %(name)s added. Their links and poster are below.")
QR_ALT = N_("QR code of the %(kind)s link")
POSTER_TITLE = N_("Worried about someone?")
POSTER_TEXT = N_(
    "Do you think someone may be lonely? Let the municipality know. It takes two minutes, "
    "you may write in your own language, and your signal is treated confidentially."
)
POSTER_SCAN = N_("Scan a code with your phone's camera, or ask us at the counter.")


@dataclass(frozen=True)
class PartnerLinks:
    partner: PartnerRecord
    links: tuple[tuple[str, str], ...]  # (kind, URL): web chat, Telegram, WhatsApp


def _links(web: WebContext, partner: PartnerRecord) -> PartnerLinks:
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


def _name_problem(name: str, taken: list[PartnerRecord]) -> Msg | None:
    if not name:
        return Msg(NAME_MISSING)
    if len(name) > MAX_NAME:
        return msg(NAME_TOO_LONG, max=MAX_NAME)
    if any(p.name.casefold() == name.casefold() for p in taken):
        return Msg(NAME_TAKEN)
    return None


def router(web: WebContext) -> APIRouter:
    routes = APIRouter()
    app = web.app
    current = web.auth.current_staff

    async def list_page(
        request: Request,
        staff: WebStaff,
        *,
        error: Msg | None = None,
        name: str = "",
        status_code: int = 200,
    ) -> Response:
        async with app.store.unit_of_work() as uow:
            partners = await uow.partners.all()
        response = web.pages.render(
            request,
            "staff/partners.html",
            status_code=status_code,
            staff=staff,
            nav="partners",
            flash=web.flash.of(request),
            partners=[_links(web, p) for p in partners],
            may_add=staff.role in MANAGERS,
            error=error,
            typed_name=name,
            max_name=MAX_NAME,
            labels=LINK_LABELS,
            telegram_known=bool(app.settings.telegram_bot_username),
            whatsapp_known=bool(app.settings.whatsapp_display_number),
        )
        web.flash.take(request, response)
        return response

    @routes.get(PARTNERS_PATH)
    async def partners(request: Request, staff: WebStaff = Depends(current)) -> Response:
        return await list_page(request, staff)

    @routes.post(PARTNERS_PATH)
    async def add(request: Request, staff: WebStaff = Depends(current)) -> Response:
        form = await checked_form(request, staff)
        require_role(staff, MANAGERS)
        typed = str(form.get("name") or "")
        name = partner_name(typed)
        now = web.clock()
        async with app.store.unit_of_work() as uow:
            taken = await uow.partners.all()
            problem = _name_problem(name, taken)
            if problem is None:
                try:
                    added = await uow.partners.add(
                        partner_code(name, {p.code for p in taken}), name, now
                    )
                    await uow.audit.record(
                        at=now, actor=staff.actor, action="partner_add", outcome="ok"
                    )
                    await uow.commit()
                except IntegrityError:  # another one took the same code just now
                    problem = Msg(ADD_FAILED)
        if problem is not None:
            return await list_page(
                request, staff, error=problem, name=typed[: MAX_NAME * 2], status_code=400
            )
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
            safety=Msg(m.SAFETY, safety_params()),
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
