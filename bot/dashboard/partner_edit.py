"""Changing a partner (regisseur and admin): its name, role and place, and taking it out of
the coalition (deactivating) or back in. Its code, and so the links on its posters, never
change; a deactivated partner's signals keep counting for it in the figures, and its link
no longer attributes new ones. Every change is in the access history."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response
from starlette.exceptions import HTTPException

from bot.staff.partners import CODE_PATTERN, MAX_NAME
from core.text.languages import STAFF_LANGUAGE
from core.text.msgids import N_, Msg, Token, msg
from storage.records import PartnerRecord

from .auth import WebStaff, checked_form, require_role
from .context import DashboardContext
from .partner_form import ROLES, Typed, problem
from .partners import MANAGERS, PARTNERS_PATH

CHANGED = N_("Partner %(name)s is changed.")
DEACTIVATED = N_(
    "Partner %(name)s no longer takes part. Its signals stay in the figures; its links no "
    "longer count new ones for it."
)
ACTIVATED = N_("Partner %(name)s takes part again.")


def router(web: DashboardContext) -> APIRouter:
    routes = APIRouter()
    app = web.app
    current = web.auth.current_staff
    places = {p.id for p in app.places}

    async def partner_of(code: str) -> PartnerRecord:
        async with app.store.unit_of_work() as uow:
            partner = await uow.partners.by_code(code) if CODE_PATTERN.fullmatch(code) else None
        if partner is None:
            raise HTTPException(status_code=404)
        return partner

    def edit_page(
        request: Request,
        staff: WebStaff,
        partner: PartnerRecord,
        *,
        typed: Typed,
        errors: dict[str, Msg] | None = None,
    ) -> Response:
        return web.pages.render(
            request,
            "staff/partner_edit.html",
            status_code=400 if errors else 200,
            staff=staff,
            nav="partners",
            partner=partner,
            typed=typed,
            errors=errors or {},
            roles=ROLES,
            places=[(p.id, p.name) for p in app.places],
            max_name=MAX_NAME,
        )

    def done(partner: PartnerRecord, text: str, name: str) -> Response:
        response = RedirectResponse(f"{PARTNERS_PATH}#partner-{partner.code}", status_code=303)
        rendered = web.pages.texts(STAFF_LANGUAGE)["text"](msg(text, name=Token(name)))
        web.flash.set(response, str(rendered))
        return response

    @routes.get(PARTNERS_PATH + "/{code}")
    async def edit(request: Request, code: str, staff: WebStaff = Depends(current)) -> Response:
        require_role(staff, MANAGERS)
        partner = await partner_of(code)
        return edit_page(request, staff, partner, typed=Typed.of(partner))

    @routes.post(PARTNERS_PATH + "/{code}")
    async def change(request: Request, code: str, staff: WebStaff = Depends(current)) -> Response:
        form = await checked_form(request, staff)
        require_role(staff, MANAGERS)
        partner = await partner_of(code)
        typed = Typed.read(form)
        now = web.clock()
        async with app.store.unit_of_work() as uow:
            others = [p for p in await uow.partners.all() if p.code != partner.code]
            wrong = problem(typed, others, places)
            if wrong is None:
                await uow.partners.change(
                    partner.code,
                    name=typed.clean_name,
                    role=typed.role,
                    area=typed.area or None,
                    postcode=typed.clean_postcode,
                )
                await uow.audit.record(
                    at=now, actor=staff.actor, action="partner_change", outcome=partner.code[:32]
                )
                await uow.commit()
        if wrong is not None:
            field, message = wrong
            return edit_page(request, staff, partner, typed=typed, errors={field: message})
        return done(partner, CHANGED, typed.clean_name)

    @routes.post(PARTNERS_PATH + "/{code}/deelname")
    async def take_part(
        request: Request, code: str, staff: WebStaff = Depends(current)
    ) -> Response:
        form = await checked_form(request, staff)
        require_role(staff, MANAGERS)
        partner = await partner_of(code)
        active = form.get("active") == "yes"
        now = web.clock()
        async with app.store.unit_of_work() as uow:
            await uow.partners.set_active(partner.code, active, now)
            action = "partner_activate" if active else "partner_deactivate"
            await uow.audit.record(
                at=now, actor=staff.actor, action=action, outcome=partner.code[:32]
            )
            await uow.commit()
        return done(partner, ACTIVATED if active else DEACTIVATED, partner.name)

    return routes
