"""Playing a signal's voice notes in the dashboard: behind the login, for who may read the
signal's details (the assignee, regisseurs, admins), each play in the access history.

The audio is sent as it is stored (decrypted), never cached; a note erased by the retention
job or at the reporter's request is gone here too.
"""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from core.lifecycle.table import DETAIL_VIEWERS
from core.text.msgids import N_

from .auth import WebStaff
from .context import DashboardContext
from .signal_routes import signal_reference
from .signal_texts import UNKNOWN_SIGNAL

PLAY = "play"  # the access history's action for a voice note played
NOT_YOURS = N_(
    "Only the staff member who picked up this signal, a regisseur or an admin can listen "
    "to its voice messages."
)
NOTE_GONE = N_("This voice message does not exist (any more).")
MAX_NOTES = 20


def audio_path(reference: str, number: int) -> str:
    return f"/loket/signalen/{reference}/spraak/{number}"


def router(web: DashboardContext) -> APIRouter:
    routes = APIRouter()
    app = web.app

    @routes.get("/loket/signalen/{reference}/spraak/{number}")
    async def play(
        request: Request,
        reference: str,
        number: str,
        staff: WebStaff = Depends(web.auth.current_staff),
    ) -> Response:
        now = web.clock()
        reference = signal_reference(reference)
        wanted = int(number) if number.isascii() and number.isdigit() and len(number) <= 2 else 0
        async with app.store.unit_of_work() as uow:
            signal = await uow.signals.get_by_reference(reference) if reference else None
            if signal is None:
                await uow.audit.record(
                    at=now, actor=staff.actor, action=PLAY, outcome="refused:unknown"
                )
                await uow.commit()
                return web.pages.render(
                    request, "error.html", status_code=404, message=UNKNOWN_SIGNAL
                )
            if signal.assignee_id != staff.record.id and staff.role not in DETAIL_VIEWERS:
                await uow.audit.record(
                    at=now,
                    actor=staff.actor,
                    action=PLAY,
                    outcome="refused:not_allowed",
                    signal_id=signal.id,
                )
                await uow.commit()
                return web.pages.render(request, "error.html", status_code=403, message=NOT_YOURS)
            notes = await uow.voice.of_signal(signal.id)
            note = notes[wanted - 1] if 1 <= wanted <= min(len(notes), MAX_NOTES) else None
            audio = await uow.voice.audio(note.id) if note is not None else None
            outcome = f"voice:{wanted}" if audio is not None else "refused:gone"
            await uow.audit.record(
                at=now, actor=staff.actor, action=PLAY, outcome=outcome, signal_id=signal.id
            )
            await uow.commit()
        if audio is None:
            return web.pages.render(request, "error.html", status_code=404, message=NOTE_GONE)
        return Response(
            audio.data,
            media_type=audio.mime_type,
            headers={
                "Cache-Control": "no-store",
                "X-Content-Type-Options": "nosniff",
                "Content-Disposition": "inline",
                "Referrer-Policy": "no-referrer",
            },
        )

    return routes
