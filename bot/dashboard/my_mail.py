"""A staff member's own work address for their notices by e-mail: set, changed or removed
on one page (``/loket/mijn-mail``). The address is checked as the mail server will take it;
a mistake is shown next to the field with what was typed. Every change is in the access
history (never the address itself); the address is kept encrypted
(``storage.staff_mail``)."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response

from bot.mail.settings import parse_mailbox
from core.text.languages import STAFF_LANGUAGE
from core.text.msgids import N_, Msg, msg

from .auth import WebStaff, checked_form
from .context import DashboardContext

PATH = "/loket/mijn-mail"
MAX_ADDRESS = 254  # RFC 5321's longest path

MISSING = N_("Please type your work e-mail address.")
WRONG = N_("That is not an e-mail address. It looks like name@gemeente.nl, without spaces.")
TOO_LONG = N_("That address is too long: at most %(max)s characters.")
TAKEN = N_("A colleague already receives mail at this address. Please use your own address.")
SAVED = N_("From now on you receive your notices by e-mail at this address.")
REMOVED = N_("You no longer receive notices by e-mail.")


def problem(typed: str) -> Msg | None:
    """What is wrong with ``typed`` as an address; None when it will do."""
    if not typed:
        return msg(MISSING)
    if len(typed) > MAX_ADDRESS:
        return msg(TOO_LONG, max=MAX_ADDRESS)
    try:
        parse_mailbox(typed, display_name=False)
    except ValueError:
        return msg(WRONG)
    return None


def router(web: DashboardContext) -> APIRouter:
    routes = APIRouter()
    app = web.app
    current = web.auth.current_staff
    mail_on = app.mail is not None

    def page(
        request: Request, staff: WebStaff, *, address: str | None, typed: str, error: Msg | None
    ) -> Response:
        response = web.pages.render(
            request,
            "staff/my_mail.html",
            status_code=400 if error else 200,
            staff=staff,
            nav="mail",
            address=address,
            typed=typed,
            error=error,
            mail_on=mail_on,
            max_address=MAX_ADDRESS,
            flash=None if error else web.flash.of(request),
        )
        if error is None:
            web.flash.take(request, response)
        return response

    def done(text: str) -> Response:
        response = RedirectResponse(PATH, status_code=303)
        web.flash.set(response, str(web.pages.texts(STAFF_LANGUAGE)["text"](msg(text))))
        return response

    @routes.get(PATH)
    async def show(request: Request, staff: WebStaff = Depends(current)) -> Response:
        async with app.store.unit_of_work() as uow:
            address = await uow.email_accounts.address_of(staff.record.id)
        return page(request, staff, address=address, typed=address or "", error=None)

    @routes.post(PATH)
    async def change(request: Request, staff: WebStaff = Depends(current)) -> Response:
        form = await checked_form(request, staff)
        raw = form.get("address")
        typed = raw.strip()[: MAX_ADDRESS * 2] if isinstance(raw, str) else ""
        now = web.clock()
        wrong = problem(typed)
        async with app.store.unit_of_work() as uow:
            address = await uow.email_accounts.address_of(staff.record.id)
            if wrong is None:
                owner = await uow.email_accounts.staff_of(typed)
                if owner is not None and owner != staff.record.id:
                    wrong = msg(TAKEN)
            if wrong is None:
                await uow.email_accounts.link(typed, staff.record.id, now)
                await uow.audit.record(
                    at=now, actor=staff.actor, action="mail_address", outcome="set"
                )
                await uow.commit()
        if wrong is not None:
            return page(request, staff, address=address, typed=typed, error=wrong)
        return done(SAVED)

    @routes.post(PATH + "/weg")
    async def remove(request: Request, staff: WebStaff = Depends(current)) -> Response:
        await checked_form(request, staff)
        now = web.clock()
        async with app.store.unit_of_work() as uow:
            if await uow.email_accounts.remove(staff.record.id):
                await uow.audit.record(
                    at=now, actor=staff.actor, action="mail_address", outcome="removed"
                )
            await uow.commit()
        return done(REMOVED)

    return routes
