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
    partner_name,
    public_base,
    telegram_link,
    web_chat_link,
    whatsapp_link,
)
from core.dialog import messages as m
from core.dialog.flows import REPORT_OTHER
from core.dialog.validation import parse_postcode
from core.lifecycle.table import DETAIL_VIEWERS
from core.text.languages import LANGUAGES, STAFF_LANGUAGE, language_name
from core.text.msgids import N_, P_, Msg, Token, msg, safety_params
from storage.records import PartnerRecord

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
POSTCODE_WRONG = N_("That is not a Dutch postcode. A postcode has 4 digits and 2 letters.")
PLACE_BOTH = N_("Please choose a neighbourhood or type a postcode, not both.")
ROLE_UNKNOWN = N_("Please choose what kind of partner it is.")
DEFAULT_ROLE = "shop"


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


ROLES = tuple((c.id, Msg(c.shown_label(staff=True))) for c in REPORT_OTHER.step("role").choices)


@dataclass(frozen=True)
class Typed:
    """What was typed into the form to add a partner (shown again after an error)."""

    name: str = ""
    role: str = DEFAULT_ROLE
    area: str = ""
    postcode: str = ""


def _place_problem(typed: Typed, places: set[str]) -> tuple[str, Msg] | None:
    """(field, message) when the neighbourhood or postcode will not do."""
    if typed.area and typed.postcode:
        return "place", Msg(PLACE_BOTH)
    if typed.area and typed.area not in places:
        return "place", Msg(PLACE_BOTH)
    if typed.postcode and parse_postcode(typed.postcode) is None:
        return "postcode", Msg(POSTCODE_WRONG)
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
        error_field: str = "name",
        typed: Typed | None = None,
        status_code: int = 200,
    ) -> Response:
        typed = typed or Typed()
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
            error_field=error_field,
            typed_name=typed.name,
            typed_role=typed.role,
            typed_area=typed.area,
            typed_postcode=typed.postcode,
            roles=ROLES,
            places=[(p.id, p.name) for p in app.settings.places()],
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
        typed = Typed(
            str(form.get("name") or "")[: MAX_NAME * 2],
            str(form.get("role") or DEFAULT_ROLE),
            str(form.get("area") or "").strip(),
            str(form.get("postcode") or "").strip()[:16],
        )
        name = partner_name(typed.name)
        now = web.clock()
        field = "name"
        async with app.store.unit_of_work() as uow:
            taken = await uow.partners.all()
            problem = _name_problem(name, taken)
            if problem is None and typed.role not in dict(ROLES):
                field, problem = "role", Msg(ROLE_UNKNOWN)
            places = {p.id for p in app.settings.places()}
            if problem is None and (wrong := _place_problem(typed, places)) is not None:
                field, problem = wrong
            if problem is None:
                try:
                    added = await uow.partners.add(
                        partner_code(name, {p.code for p in taken}),
                        name,
                        now,
                        role=typed.role,
                        area=typed.area or None,
                        postcode=parse_postcode(typed.postcode) if typed.postcode else None,
                    )
                    await uow.audit.record(
                        at=now, actor=staff.actor, action="partner_add", outcome="ok"
                    )
                    await uow.commit()
                except IntegrityError:  # another one took the same code just now
                    problem = Msg(ADD_FAILED)
        if problem is not None:
            return await list_page(
                request, staff, error=problem, error_field=field, typed=typed, status_code=400
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
