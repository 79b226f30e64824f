"""The ``staff`` composer (``bot.outbox.kinds``): a signal's messages to the loket and its
staff (the group card and its updates, the details, the staff card, calls for help) and the
admins' notices, in Dutch, from the current state of their signal.

The outbox stores ids only; the text is written at send time, so a card sent late shows
the signal as it is now, and details never go to someone who no longer handles the signal.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace

from bot.buttons import action_button, next_step_buttons
from bot.outbox.kinds import (
    ADMIN_ALERT,
    CARD_UPDATE,
    LOKET_CARD,
    LOKET_MOVED,
    NEEDS_HELP,
    STAFF_CARD,
    STAFF_DETAILS,
)
from bot.ports import Button, Outgoing
from bot.rendering import render_texts
from core.dialog.model import Place
from core.lifecycle import staff_texts as t
from core.lifecycle import table as lifecycle
from core.lifecycle.parties import LOKET, ByMail, StaffMember, as_text, parse_target
from core.lifecycle.table import DETAIL_VIEWERS
from core.text.catalog import Catalog
from core.text.languages import STAFF_LANGUAGE
from core.text.msgids import Msg, Token, msg
from storage.records import OutboxItem, StoredSignal
from storage.uow import UnitOfWork

from .voice import voice_views


class LoketComposer:
    def __init__(self, catalogs: Mapping[str, Catalog], places: Sequence[Place]) -> None:
        self._catalog = catalogs[STAFF_LANGUAGE]
        self._places = tuple(places)

    def _text(self, texts: Sequence[Msg]) -> str:
        return render_texts(tuple(texts), self._catalog, STAFF_LANGUAGE, "\n")

    async def compose(self, uow: UnitOfWork, item: OutboxItem) -> Outgoing | None:
        """The message for ``item``; None when there is nothing (left) to send."""
        to = as_text(item.target)
        if item.kind == ADMIN_ALERT:
            return self._alert(item)
        if item.kind == LOKET_MOVED:
            new = Token(str(item.payload.get("new", "?")))
            return Outgoing(to, self._text([msg(t.LOKET_MOVED, new=new)]), None)
        if item.signal_id is None:
            return None
        signal = await uow.signals.get(item.signal_id)
        if signal is None:
            return None
        if item.kind == LOKET_CARD:
            return await self._card(uow, signal, edit=None)
        if item.kind == CARD_UPDATE:
            landed = await uow.outbox.latest_ref(signal.id, (LOKET_CARD, CARD_UPDATE))
            # Not delivered yet: the queued card will show the current state when it goes.
            return await self._card(uow, signal, edit=landed) if landed else None
        if item.kind == STAFF_DETAILS:
            return await self._details(uow, signal, item)
        if item.kind == STAFF_CARD:
            card = await self._card(uow, signal, edit=None)
            return replace(card, target=to)
        if item.kind == NEEDS_HELP:
            return await self._needs_help(uow, signal, item)
        return None

    async def _needs_help(
        self, uow: UnitOfWork, signal: StoredSignal, item: OutboxItem
    ) -> Outgoing:
        asker = await uow.staff.get(int(item.payload.get("staff_id", 0)))
        text = msg(
            t.NEEDS_HELP,
            name=asker.display_name if asker else "?",
            reference=Token(signal.reference),
            status=t.status_label(signal.status),
        )
        return Outgoing(as_text(item.target), self._text([text]), signal.reference)

    async def _partner_name(self, uow: UnitOfWork, signal: StoredSignal) -> str | None:
        if signal.draft.partner is None:
            return None
        partner = await uow.partners.by_code(signal.draft.partner)
        return partner.name if partner else None

    async def _card(self, uow: UnitOfWork, signal: StoredSignal, edit: str | None) -> Outgoing:
        assignee = await uow.staff.get(signal.assignee_id) if signal.assignee_id else None
        texts = t.loket_card(
            signal.reference,
            signal.draft,
            signal.created_at,
            self._places,
            status=signal.status,
            partner_name=await self._partner_name(uow, signal),
            assignee_name=assignee.display_name if assignee else None,
            claimed_at=signal.claimed_at if assignee else None,
            channel=signal.channel,
        )
        claim = lifecycle.ACTIONS["claim"]
        buttons: tuple[Button, ...] = ()
        if signal.status in claim.sources:
            buttons = (action_button(self._catalog, claim, signal.id),)
        return Outgoing(as_text(LOKET), self._text(texts), signal.reference, buttons, edit=edit)

    async def _details(
        self, uow: UnitOfWork, signal: StoredSignal, item: OutboxItem
    ) -> Outgoing | None:
        if not isinstance(item.target, StaffMember):
            return None
        staff = await uow.staff.get(item.target.staff_id)
        if staff is None or not staff.active:
            return None
        if signal.assignee_id != staff.id and staff.role not in DETAIL_VIEWERS:
            return None  # released meanwhile: the details are no longer theirs
        notes = await uow.voice.of_signal(signal.id) if signal.draft.voice_notes else []
        texts = t.staff_details(
            signal.reference,
            signal.draft,
            signal.created_at,
            self._places,
            status=signal.status,
            partner_name=await self._partner_name(uow, signal),
            channel=signal.channel,
            voice_notes=voice_views(signal.draft, notes),
        )
        buttons = next_step_buttons(self._catalog, signal.status, signal.id)
        to = as_text(item.target)
        return Outgoing(to, self._text(texts), signal.reference, buttons, protect=True)

    def _alert(self, item: OutboxItem) -> Outgoing:
        reference = str(item.payload.get("reference", "?"))
        reason = str(item.payload.get("reason", ""))[:200]
        to = as_text(item.target)
        if item.payload.get("configuration"):  # our set-up, e.g. a template not registered
            text = msg(t.TEMPLATE_REFUSED, reference=Token(reference), reason=reason)
            return Outgoing(to, self._text([text]), reference)
        failed = parse_target(str(item.payload.get("target", "")))
        where = {
            LOKET: t.TARGET_LOKET_GROUP,
            ByMail(LOKET): t.TARGET_LOKET_MAILBOX,
        }.get(failed, t.TARGET_STAFF_MAIL if isinstance(failed, ByMail) else t.TARGET_STAFF)
        said = t.DELIVERY_FAILED
        if isinstance(failed, ByMail):
            said = t.MAIL_SETUP if item.payload.get("operator") else t.MAIL_REFUSED
        text = msg(said, reference=Token(reference), target=Msg(where), reason=reason)
        return Outgoing(to, self._text([text]), reference)
