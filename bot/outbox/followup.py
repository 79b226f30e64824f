"""The ``followup`` composer (``bot.outbox.kinds``): the follow-up's messages at send time:
reminders, escalations, the referral check, reporters' answers passed on and the digest
for staff (Dutch), the check-in and questions for reporters (in their language). A reminder
whose signal moved on meanwhile is dropped, not sent.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from bot.buttons import action_button, checkin_data, next_step_buttons
from bot.outbox.kinds import DIGEST, REPORTER_FLAG, REPORTER_REPLY
from bot.ports import Button, Outgoing, TemplateCall
from bot.rendering import render_texts
from core import channel_texts
from core.followup import rules as f
from core.followup import texts as ft
from core.lifecycle import table as lc
from core.lifecycle.parties import Reporter, as_text
from core.lifecycle.staff_texts import status_label
from core.text.catalog import Catalog
from core.text.languages import STAFF_LANGUAGE
from core.text.msgids import Msg, Token, UserText, When, msg
from core.text.render import render_label
from storage.records import OutboxItem, StoredSignal
from storage.uow import UnitOfWork

REFERRAL_CHECK_ACTIONS = ("on_track", "close", "needs_help")


def _when(value: object) -> When:
    return When(datetime.fromisoformat(str(value)))


class FollowUpComposer:
    def __init__(self, catalogs: Mapping[str, Catalog]) -> None:
        self._catalogs = catalogs
        self._staff = catalogs[STAFF_LANGUAGE]

    def _text(self, texts: tuple[Msg, ...], language: str = STAFF_LANGUAGE) -> str:
        return render_texts(texts, self._catalogs[language], language, "\n")

    async def compose(self, uow: UnitOfWork, item: OutboxItem) -> Outgoing | None:
        if item.kind == DIGEST:
            return self._digest(item)
        signal = await uow.signals.get(item.signal_id) if item.signal_id is not None else None
        if signal is None:
            return None
        if isinstance(item.target, Reporter):
            return await self._reporter(uow, item, item.target, signal)
        return await self._staff_message(uow, item, signal)

    async def _staff_message(
        self, uow: UnitOfWork, item: OutboxItem, signal: StoredSignal
    ) -> Outgoing | None:
        reference = Token(signal.reference)
        buttons: tuple[Button, ...] = ()
        texts: tuple[Msg, ...]
        if item.kind in (f.CLAIM_REMINDER, f.CLAIM_ESCALATION):
            if signal.status != lc.NEW:
                return None  # picked up meanwhile
            header = ft.REMINDER_CLAIM if item.kind == f.CLAIM_REMINDER else ft.ESCALATION_CLAIM
            texts = (msg(header, reference=reference, date=_when(item.payload["due"])),)
            if signal.draft.urgent:
                texts += (msg(ft.URGENT_MARK),)
            buttons = (action_button(self._staff, lc.ACTIONS["claim"], signal.id),)
        elif item.kind == f.CONTACT_REMINDER:
            if signal.status not in (lc.CLAIMED, lc.REOPENED):
                return None
            texts = (
                msg(ft.REMINDER_CONTACT, reference=reference, date=_when(item.payload["due"])),
            )
            buttons = next_step_buttons(self._staff, signal.status, signal.id)
        elif item.kind == f.REFERRAL_CHECK:
            if signal.status != lc.REFERRED or signal.status_at is None:
                return None
            texts = (msg(ft.REFERRAL_CHECK, reference=reference, date=When(signal.status_at)),)
            buttons = tuple(
                action_button(self._staff, lc.ACTIONS[a], signal.id) for a in REFERRAL_CHECK_ACTIONS
            )
        elif item.kind == REPORTER_FLAG:
            said = ft.REPORTER_SAYS_NO if item.payload.get("answer") == f.ANSWER_NO else None
            texts = (msg(said or ft.REPORTER_STILL_WORRIED, reference=reference),)
            if item.payload.get("reopened"):
                texts += (msg(ft.REOPENED_BY_REPORTER),)
            buttons = next_step_buttons(self._staff, signal.status, signal.id)
        elif item.kind == REPORTER_REPLY:
            note = await self._note(uow, item)
            if note is None:
                return None
            texts = (
                msg(ft.REPORTER_REPLY, reference=reference),
                msg(ft.QUOTED, text=UserText(note)),
            )
            to = as_text(item.target)
            return Outgoing(to, self._text(texts), signal.reference, protect=True)
        else:
            return None
        return Outgoing(as_text(item.target), self._text(texts), signal.reference, buttons)

    async def _note(self, uow: UnitOfWork, item: OutboxItem) -> str | None:
        found = await uow.signals.event(int(item.payload.get("event", 0)))
        if found is None or found[0] != item.signal_id:
            return None
        return found[1].note

    async def _reporter(
        self, uow: UnitOfWork, item: OutboxItem, to: Reporter, signal: StoredSignal
    ) -> Outgoing | None:
        reporter_id = to.reporter_id
        reporter = await uow.reporters.get(reporter_id) if reporter_id is not None else None
        if reporter is None:
            return None  # the reporter erased their details meanwhile
        language = reporter.language if reporter.language in self._catalogs else STAFF_LANGUAGE
        catalog = self._catalogs[language]
        if item.kind == f.REPORTER_CHECKIN:
            reply = ft.checkin_reply(signal.reference)
            buttons = tuple(
                Button(
                    render_label(c.label, catalog, language),
                    checkin_data(signal.id, c.id),
                    render_label(c.short, catalog, language) if c.short else "",
                )
                for c in reply.choices
            )
            text = self._text(reply.texts, language)
            template = TemplateCall(
                "checkin", language, (signal.reference,), tuple(b.data for b in buttons)
            )
            return Outgoing(
                reporter.channel_user_id,
                text,
                signal.reference,
                buttons,
                channel=reporter.channel,
                last_inbound_at=reporter.last_inbound_at,
                template=template,
            )
        note = await self._note(uow, item)
        if note is None:
            return None
        texts = ft.question_texts(signal.reference, note)
        shown = channel_texts.variants(reporter.channel)
        text = render_texts(texts, catalog, language, "\n\n", variants=shown)
        return Outgoing(
            reporter.channel_user_id,
            text,
            signal.reference,
            force_reply=True,
            channel=reporter.channel,
            last_inbound_at=reporter.last_inbound_at,
            template=TemplateCall("question", language, (signal.reference, note)),
        )

    def _digest(self, item: OutboxItem) -> Outgoing:
        p = item.payload
        texts: list[Msg] = [
            msg(ft.DIGEST_HEADER, date=_when(p["date"])),
            msg(
                ft.DIGEST_COUNTS,
                new=int(p["new"]),
                unclaimed=int(p["unclaimed"]),
                overdue=int(p["overdue"]),
            ),
        ]
        rows = list(p.get("rows", []))
        if rows:
            texts.append(msg(ft.DIGEST_BY_DEADLINE))
        else:
            texts.append(msg(ft.DIGEST_NOTHING))
        for reference, status, what, at in rows:
            texts.append(
                msg(
                    ft.DIGEST_LINE,
                    reference=Token(str(reference)),
                    status=status_label(str(status)),
                    what=Msg(ft.OWED_LABELS.get(str(what), str(what))),
                    date=_when(at),
                )
            )
        return Outgoing(as_text(item.target), self._text(tuple(texts)), None)
