"""What a resident does in the web chat, handled like every other channel: through the
conversation service (typed text, a pressed choice, a command, the language), or the
follow-up (a check-in button, an answer to the loket's question); then into the
transcript. A form's one-time ``nonce`` is the message id: a double submit is handled
once.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime

from bot.app import App
from bot.buttons import CheckinButton, ReporterButton, parse
from bot.followup.service import ReporterAnswer
from bot.rendering import RenderedReply, render_texts
from bot.reporting.voice import ReceivedVoice
from core.dialog import messages as m
from core.dialog.dialogs import LANGUAGE
from core.dialog.events import Event, Pick, Reopen, TextIn, VoiceRefused
from core.lifecycle.voice import duration
from core.text.languages import LANGUAGES, LanguageName
from core.text.msgids import P_, Msg
from core.text.render import render, render_label

from .messenger import CHANNEL, ChatTranscripts
from .transcript import Transcript

_Change = Callable[[Transcript], Transcript]

# The commands offered as buttons under the chat, with their labels.
COMMANDS: Mapping[str, str] = {
    "help": m.COMMAND_HELP,
    "privacy": m.COMMAND_PRIVACY,
    "status": m.COMMAND_STATUS,
    "verwijder": m.COMMAND_ERASE,
}


# How the resident's own voice message shows in their chat.
VOICE_SENT = P_(
    "web chat: the resident's voice message, with its length", "Voice message (%(duration)s)"
)
VOICE_NOT_SENT = P_("web chat: the resident's voice message that was not taken", "Voice message")


@dataclass(frozen=True)
class Typed:
    text: str


@dataclass(frozen=True)
class Pressed:
    prompt: str
    choice: str


@dataclass(frozen=True)
class LoketButton:
    data: str


@dataclass(frozen=True)
class Answered:
    reference: str
    text: str


@dataclass(frozen=True)
class Command:
    name: str


@dataclass(frozen=True)
class Language:
    code: str


@dataclass(frozen=True)
class Recorded:
    """A voice message recorded in the page (within the bounds, or why it is not)."""

    voice: ReceivedVoice | VoiceRefused


ChatInput = Typed | Pressed | LoketButton | Answered | Command | Language | Recorded


def input_of(form: Mapping[str, str]) -> ChatInput | None:
    """What the POSTed form asks; None when it asks nothing we know."""
    if "choice" in form:
        return Pressed(form.get("prompt", "-") or "-", form["choice"])
    if "data" in form:
        return LoketButton(form["data"])
    if "question" in form and "answer" in form:
        # An empty answer (the field is required; an old browser may send it) is nothing.
        return Answered(form["question"], form["answer"]) if form["answer"].strip() else None
    if form.get("command") in COMMANDS:
        return Command(form["command"])
    if form.get("language") in LANGUAGES:
        return Language(form["language"])
    if "text" in form:
        return Typed(form["text"])
    return None


class ChatInputs:
    def __init__(self, app: App, transcripts: ChatTranscripts) -> None:
        self._app = app
        self._transcripts = transcripts

    async def open(
        self, hashed: str, now: datetime, *, nonce: str, hint: str | None, partner: str | None
    ) -> str:
        """The chat of the cookie's token (created, with the welcome, by its first form);
        returns its user id."""
        async with self._app.store.unit_of_work() as uow:
            await uow.webchat.create(hashed, secrets.token_hex(16), now)
            chat = await uow.webchat.by_token(hashed)
            await uow.commit()
        assert chat is not None
        # What the first page showed (without storing anything) now goes into the chat.
        opening: Event = TextIn(f"/start p_{partner}") if partner else Reopen()
        replies = await self._engine(chat.user_id, opening, now, f"{nonce}:open", hint)
        await self._transcripts.change(
            chat.user_id, lambda t: t.said(None, replies), resident_at=now
        )
        return chat.user_id

    async def perform(
        self, user_id: str, given: ChatInput, now: datetime, *, nonce: str, hint: str | None
    ) -> Transcript | None:
        """Do ``given``; the transcript after it (None: nothing changed, or the chat is
        gone)."""
        if isinstance(given, Pressed):
            pick = Pick(given.prompt, given.choice)
            replies = await self._engine(user_id, pick, now, nonce, hint)
            if not replies:
                return None
            return await self._change(
                user_id, lambda t: t.picked(given.prompt, given.choice, replies), now
            )
        if isinstance(given, LoketButton):
            return await self._loket_button(user_id, given, now, nonce, hint)
        if isinstance(given, Answered):
            answer = await self._app.followup.answer_question(
                CHANNEL, user_id, given.reference, given.text, now, update_key=nonce
            )
            if answer is None:
                return None
            reply = self._told(answer)
            return await self._change(
                user_id, lambda t: t.answered(given.reference, given.text, reply), now
            )
        if isinstance(given, Language):
            return await self._language(user_id, given.code, now, nonce, hint)
        if isinstance(given, Recorded):
            replies = await self._engine(user_id, given.voice, now, nonce, hint)
            language = replies[-1].language if replies else "nl"
            return await self._said(user_id, self._voice_label(given, language), replies, now)
        if isinstance(given, Command):
            text = f"/{given.name}"
            replies = await self._engine(user_id, TextIn(text), now, nonce, hint)
            language = replies[-1].language if replies else "nl"
            label = self._app.catalogs[language].gettext(COMMANDS[given.name])
            return await self._said(user_id, label, replies, now)
        replies = await self._engine(user_id, TextIn(given.text), now, nonce, hint)
        return await self._said(user_id, given.text, replies, now)

    async def _loket_button(
        self, user_id: str, given: LoketButton, now: datetime, nonce: str, hint: str | None
    ) -> Transcript | None:
        button = parse(given.data)
        if isinstance(button, CheckinButton):
            answer = await self._app.followup.answer_checkin(
                CHANNEL, user_id, button.signal_id, button.answer, now, update_key=nonce
            )
            if answer is None:
                return None
            reply = self._told(answer)
            return await self._change(user_id, lambda t: t.used_button(given.data, reply), now)
        # A staff button or a forged payload: treated as an outdated button.
        pick = button if isinstance(button, ReporterButton) else ReporterButton("-", "-")
        return await self.perform(
            user_id, Pressed(pick.prompt, pick.choice), now, nonce=nonce, hint=hint
        )

    async def _language(
        self, user_id: str, code: str, now: datetime, nonce: str, hint: str | None
    ) -> Transcript | None:
        """Through the engine's language question: /taal, then the language's button."""
        asked = await self._engine(user_id, TextIn("/taal"), now, f"{nonce}:taal", hint)
        if not asked:
            return None
        if asked[-1].prompt != LANGUAGE.id:  # something else came first (welcome back)
            return await self._said(user_id, None, asked, now)
        replies = await self._engine(user_id, Pick(LANGUAGE.id, code), now, nonce, hint)
        name = render_label(LanguageName(code, in_itself=True), self._app.catalogs[code], code)
        return await self._said(user_id, name, replies, now)

    def _voice_label(self, given: Recorded, language: str) -> str:
        catalog = self._app.catalogs[language]
        if isinstance(given.voice, ReceivedVoice):
            length = duration(given.voice.note.duration_seconds)
            return render(Msg(VOICE_SENT, {"duration": length}), catalog, language)
        return catalog.gettext(VOICE_NOT_SENT)

    async def _engine(
        self,
        user_id: str,
        event: Event | ReceivedVoice,
        now: datetime,
        message_id: str,
        hint: str | None,
    ) -> list[RenderedReply]:
        return await self._app.service.handle(
            CHANNEL, user_id, event, now, message_id=message_id, language_hint=hint
        )

    async def _said(
        self, user_id: str, text: str | None, replies: list[RenderedReply], now: datetime
    ) -> Transcript | None:
        if not replies:  # a double submit (or a message over the pace): already handled
            return None
        return await self._change(user_id, lambda t: t.said(text, replies), now)

    async def _change(self, user_id: str, change: _Change, now: datetime) -> Transcript | None:
        return await self._transcripts.change(user_id, change, resident_at=now)

    def _told(self, answer: ReporterAnswer) -> RenderedReply:
        language = answer.language if answer.language in self._app.catalogs else "nl"
        text = render_texts(answer.texts, self._app.catalogs[language], language)
        return RenderedReply(text, None, (), False, language)
