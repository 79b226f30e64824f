"""WhatsApp messages in, replies out.

``receive`` keeps what a webhook brought (messages in the inbox, statuses acted on) in one
transaction; ``process`` handles one kept message like every other channel: the
conversation engine, a check-in answer, or an answer to the loket's question.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from datetime import datetime

from bot.buttons import CheckinButton, ReporterButton, parse, reporter_data
from bot.followup.service import FollowUpService, ReporterAnswer
from bot.outbox.kinds import REPORTER_QUESTION
from bot.rendering import RenderedReply, render_texts
from bot.reporting.service import ConversationService
from bot.reporting.voice import ReceivedVoice
from core.dialog.events import Event, Pick, TextIn, Unreadable
from core.text.catalog import Catalog
from core.text.languages import STAFF_LANGUAGE
from storage.uow import Store

from .inbound import AUDIO, REPLY, TEXT, Inbound, Status
from .media import WhatsAppMedia
from .messenger import CHANNEL, TEMPLATE_MARK, WhatsAppMessenger
from .render import Option, WaMessage, render
from .statuses import record_statuses

log = logging.getLogger(__name__)


class WhatsAppUpdates:
    def __init__(
        self,
        store: Store,
        service: ConversationService,
        followup: FollowUpService,
        messenger: WhatsAppMessenger,
        catalogs: Mapping[str, Catalog],
        media: WhatsAppMedia,
    ) -> None:
        self._media = media
        self._store = store
        self._service = service
        self._followup = followup
        self._messenger = messenger
        self._catalogs = catalogs

    async def receive(
        self, messages: Sequence[Inbound], statuses: Sequence[Status], now: datetime
    ) -> tuple[int, bool]:
        """Keep new messages for processing and act on failed deliveries, in one
        transaction. Returns how many messages are new, and whether the outbox has work."""
        async with self._store.unit_of_work() as uow:
            new = 0
            for message in messages:
                if message.number and message.sender != message.number:
                    # Known by number until WhatsApp sent a user id: keep the conversation.
                    await uow.reporters.adopt_user_id(CHANNEL, message.number, message.sender)
                new += await uow.inbox.add(
                    CHANNEL, message.wamid, message.sender, message.to_json(), now
                )
            queued = await record_statuses(uow, statuses, now)
            await uow.commit()
        return new, queued

    async def process(self, message: Inbound, now: datetime) -> None:
        """Handle one message and send the replies (raises when sending fails)."""
        if message.kind == REPLY:
            button = parse(message.reply_id)
            if isinstance(button, CheckinButton):
                answer = await self._followup.answer_checkin(
                    CHANNEL,
                    message.sender,
                    button.signal_id,
                    button.answer,
                    now,
                    update_key=message.wamid,
                )
                await self._tell(message.sender, answer)
                return
            # Not one of ours, or a staff button: treated as an outdated button.
            pick = button if isinstance(button, ReporterButton) else ReporterButton("-", "-")
            event: Event | ReceivedVoice = Pick(pick.prompt, pick.choice)
        elif message.kind == TEXT:
            reference = await self._answered_question(message)
            if reference is not None:
                answer = await self._followup.answer_question(
                    CHANNEL, message.sender, reference, message.text, now, update_key=message.wamid
                )
                await self._tell(message.sender, answer)
                return
            event = TextIn(message.text)
        elif message.kind == AUDIO:
            event = await self._media.fetch(message.media_id)
        else:
            event = Unreadable("media")
        replies = await self._service.handle(
            CHANNEL,
            message.sender,
            event,
            now,
            message_id=message.wamid,
            language_hint=message.language_hint(),
            ask_language=True,
            known_phone=message.known_phone,
        )
        for reply in replies:
            await self._messenger.reply(message.sender, self._shown(reply))

    def _shown(self, reply: RenderedReply) -> list[WaMessage]:
        texts = self._messenger.texts(reply.language)
        return render(reply.text, reply_options(reply), texts, multi=reply.multi)

    async def _answered_question(self, message: Inbound) -> str | None:
        """The signal whose question from the loket ``message`` replies to, if it does."""
        if message.context_id is None:
            return None
        async with self._store.unit_of_work() as uow:
            item = await uow.outbox.landed(message.context_id, TEMPLATE_MARK + message.context_id)
            if item is None or item.kind != REPORTER_QUESTION or item.signal_id is None:
                return None
            signal = await uow.signals.get(item.signal_id)
            return signal.reference if signal is not None else None

    async def _tell(self, to: str, answer: ReporterAnswer | None) -> None:
        if answer is None:
            return  # a redelivered message: already answered
        language = answer.language if answer.language in self._catalogs else STAFF_LANGUAGE
        text = render_texts(answer.texts, self._catalogs[language], language)
        await self._messenger.reply(to, render(text, [], self._messenger.texts(language)))


def reply_options(reply: RenderedReply) -> list[Option]:
    """A reply's choices as WhatsApp options (short label as title, full as description)."""
    if reply.prompt is None:
        return []
    return [
        Option(reporter_data(reply.prompt, c.id), c.label, c.selected, c.short)
        for c in reply.choices
    ]
