"""Composing staff-facing outbox messages from the current state of their signal.

The outbox stores ids only; the text is written at send time, so a card sent late shows
the signal as it is now, and details never go to someone who no longer handles the signal.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from datetime import datetime

from bot.buttons import action_button, next_step_buttons
from bot.outbox.kinds import (
    ADMIN_ALERT,
    CARD_UPDATE,
    LOKET_MOVED,
    STAFF_CARD,
    STAFF_DETAILS,
    VOICE_NOTE,
)
from bot.outbox.targets import LOKET
from bot.ports import Button, Outgoing
from bot.rendering import render_texts
from core.dialog.model import Place
from core.lifecycle import staff_texts as t
from core.lifecycle import table as lifecycle
from core.lifecycle.table import DETAIL_VIEWERS
from core.text.catalog import Catalog
from core.text.languages import STAFF_LANGUAGE
from core.text.msgids import Msg, Token, msg
from storage.records import OutboxItem, StoredSignal
from storage.signals import LOKET_CARD
from storage.uow import UnitOfWork

from .followup import FollowUpComposer
from .kinds import FOLLOW_UP_KINDS
from .voice import Later, VoiceNoteComposer, voice_views


class LoketComposer:
    def __init__(self, catalogs: Mapping[str, Catalog], places: Sequence[Place]) -> None:
        self._catalog = catalogs[STAFF_LANGUAGE]
        self._places = tuple(places)
        self._followup = FollowUpComposer(catalogs)
        self._voice = VoiceNoteComposer(self._catalog)

    def _text(self, texts: Sequence[Msg]) -> str:
        return render_texts(tuple(texts), self._catalog, STAFF_LANGUAGE, "\n")

    async def compose(
        self, uow: UnitOfWork, item: OutboxItem, now: datetime
    ) -> Outgoing | Later | None:
        """The message for ``item``; None when there is nothing (left) to send; ``Later``
        when it is to be composed again then (a voice note waiting for its transcript)."""
        if item.kind == ADMIN_ALERT:
            return self._alert(item)
        if item.kind == LOKET_MOVED:
            new = Token(str(item.payload.get("new", "?")))
            return Outgoing(item.target, self._text([msg(t.LOKET_MOVED, new=new)]), None)
        if item.kind in FOLLOW_UP_KINDS:
            return await self._followup.compose(uow, item)
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
        if item.kind == VOICE_NOTE:
            return await self._voice.compose(uow, item, signal, now)
        if item.kind == STAFF_CARD:
            card = await self._card(uow, signal, edit=None)
            return replace(card, target=item.target)
        return None

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
        )
        claim = lifecycle.ACTIONS["claim"]
        buttons: tuple[Button, ...] = ()
        if signal.status in claim.sources:
            buttons = (action_button(self._catalog, claim, signal.id),)
        return Outgoing(LOKET, self._text(texts), signal.reference, buttons, edit=edit)

    async def _details(
        self, uow: UnitOfWork, signal: StoredSignal, item: OutboxItem
    ) -> Outgoing | None:
        staff = await uow.staff.get(int(item.payload.get("staff_id", 0)))
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
            voice_notes=voice_views(signal.draft, notes),
        )
        buttons = next_step_buttons(self._catalog, signal.status, signal.id)
        return Outgoing(item.target, self._text(texts), signal.reference, buttons, protect=True)

    def _alert(self, item: OutboxItem) -> Outgoing:
        reference = str(item.payload.get("reference", "?"))
        reason = str(item.payload.get("reason", ""))[:200]
        if item.payload.get("configuration"):  # our set-up, e.g. a template not registered
            text = msg(t.TEMPLATE_REFUSED, reference=Token(reference), reason=reason)
            return Outgoing(item.target, self._text([text]), reference)
        where = t.TARGET_LOKET_GROUP if item.payload.get("target") == LOKET else t.TARGET_STAFF
        text = msg(t.DELIVERY_FAILED, reference=Token(reference), target=Msg(where), reason=reason)
        return Outgoing(item.target, self._text([text]), reference)
