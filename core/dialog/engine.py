"""The conversation engine: ``Engine.advance(state, event, now) -> Outcome``.

Pure: it reads the flows, the reporter's state and the event, and says what to reply and
what the shell must do. It never raises on user input; every path ends in a valid state.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from core.text.languages import LANGUAGES
from core.text.msgids import Msg, Token, When, msg, safety_params

from . import messages as m
from .answers import AnswerResult, Miss, answers_given, interpret, note_at_summary
from .asking import again, ask, ask_dialog, command_params, edit_dialog, shown_choices
from .commands import Command, parse_command
from .dialogs import DIALOGS, STARTS, WELCOME
from .draft import build_draft, done_texts
from .events import (
    CheckSignalLimit,
    ContactShared,
    Effect,
    EraseReporter,
    Event,
    LookUpPartner,
    Outcome,
    PartnerFound,
    Pick,
    Refused,
    Reopen,
    Reply,
    SetLanguage,
    ShowStatus,
    StoreSignal,
    Submitted,
    TextIn,
    Unreadable,
    VoiceIn,
    VoiceRefused,
)
from .flows import FLOWS, VOICE_FLOW
from .matching import LabelIndex
from .model import VOICE_ANSWER, Flow, Kind, Place, Step
from .presets import PARTNER_FLOW, partner_preset, start_answers
from .progress import after_answer, first_step, prune
from .state import Answer, ConversationState, VoiceRef

RESUME_AFTER = timedelta(hours=24)
MAX_MISSES = 3
START = "start"  # nothing on screen yet: any input shows the welcome
# Nothing on screen yet, and the chat app did not say the reporter's language (WhatsApp):
# any input asks the language first, then shows the welcome.
START_LANGUAGE = "start_language"
COMMAND_DIALOGS = {"language": "language", "erase": "confirm_erase"}


@dataclass(frozen=True)
class Engine:
    """The flows plus the municipality's configuration (neighbourhoods, label index)."""

    labels: LabelIndex
    places: tuple[Place, ...] = ()
    flows: Mapping[str, Flow] = field(default_factory=lambda: dict(FLOWS))
    # The number residents can call the municipality on ("14 0115"), when it is set.
    municipality_phone: str | None = None
    # Voice notes one report may keep (the shell's AudioLimits.max_notes_per_report).
    max_voice_notes: int = 3

    def new_state(
        self, language: str, partner: str | None = None, *, ask_language: bool = False
    ) -> ConversationState:
        """A fresh conversation for a reporter who prefers ``language``; with
        ``ask_language`` the first reply asks them to confirm or change it."""
        lang = language if language in LANGUAGES else "nl"
        prompt = START_LANGUAGE if ask_language else START
        return ConversationState(language=lang, prompt=prompt, partner=partner)

    def advance(self, state: ConversationState, event: Event, now: datetime) -> Outcome:
        """Advance one conversation by one event."""
        if isinstance(event, Submitted):
            return self._submitted(state, event.reference, now)
        if isinstance(event, Refused):
            return self._refused(state, now)
        if isinstance(event, PartnerFound):
            return self._partner_found(state, event)
        if isinstance(event, VoiceIn):
            return self._voice(state, event, now)
        if self._idle(state, now) and state.dialog != "resume":
            resumed = state.with_(dialog="resume", updated_at=now)
            return Outcome(resumed, self._current(resumed))
        state = state.with_(updated_at=now)
        if isinstance(event, Reopen):  # nothing on screen yet: the welcome goes on screen
            fresh = state.prompt == START and state.dialog is None
            return self._welcome(state) if fresh else Outcome(state, self._current(state))
        if isinstance(event, ContactShared):
            if self._asks_phone(state):
                return self._answer(state, TextIn(_international(event.phone)), now)
            event = Unreadable("media")
        if isinstance(event, Unreadable | VoiceRefused):
            notice = Reply((_notice(event),))
            if state.prompt == START_LANGUAGE:  # a photo as the very first message
                asked = self._first_language(state, event)
                return Outcome(asked.state, (notice, *asked.replies))
            return Outcome(state, (notice, *self._current(state)))
        command = parse_command(event.text) if isinstance(event, TextIn) else None
        if state.prompt == START_LANGUAGE:
            if command is not None and command.name == "erase":
                # Details outlive the conversation (the retention job deletes idle ones):
                # erasing is not put off until a language is chosen.
                return self._command(state.with_(prompt=WELCOME.id), command, now)
            return self._first_language(state, event)
        if command is not None:
            return self._command(state, command, now)
        if state.prompt == START and state.dialog is None:
            return self._welcome(state)
        if state.dialog is not None:
            return self._dialog(state, event, now)
        return self._answer(state, event, now)

    # -- commands and dialogs -------------------------------------------------------

    def _command(self, state: ConversationState, command: Command, now: datetime) -> Outcome:
        if command.name == "start":
            partner = command.partner or state.partner
            if state.has_draft:
                asked = self._ask(state.with_(partner=partner), "confirm_restart")
            else:
                fresh = self.new_state(state.language, partner).with_(
                    preset=state.preset if partner == state.partner else {}, updated_at=now
                )
                asked = self._welcome(fresh)
            return _looking_up(asked, command.partner)
        if command.name == "stop":
            if state.flow is None:
                fresh = self._fresh(state, now)
                return Outcome(fresh, (again((msg(m.NOTHING_TO_STOP),)),))
            return self._ask(state, "confirm_stop")
        if command.name in COMMAND_DIALOGS:
            return self._ask(state, COMMAND_DIALOGS[command.name])
        if command.name == "status":
            return Outcome(state, self._current(state), (ShowStatus(),))
        info = m.HELP if command.name == "help" else m.PRIVACY
        return Outcome(state, (Reply((Msg(info, command_params()),)), *self._current(state)))

    def _ask(self, state: ConversationState, dialog: str) -> Outcome:
        asked = state.with_(dialog=dialog, misses=0)
        return Outcome(asked, (ask_dialog(DIALOGS[dialog], asked),))

    def _first_language(self, state: ConversationState, event: Event) -> Outcome:
        # Whatever the first message says, the reporter first sees the languages (named
        # in themselves); a partner's start link is kept for the report.
        command = parse_command(event.text) if isinstance(event, TextIn) else None
        partner = command.partner if command is not None and command.partner else state.partner
        # Under the language question is the welcome menu, shown once a language is chosen.
        asked = state.with_(prompt=WELCOME.id, dialog="language", partner=partner, misses=0)
        outcome = Outcome(asked, (ask_dialog(DIALOGS["language"], asked),))
        return _looking_up(outcome, command.partner if command is not None else None)

    def _welcome(self, state: ConversationState) -> Outcome:
        shown = state.with_(flow=None, prompt=WELCOME.id, dialog=None, answers={}, misses=0)
        welcome = ask(WELCOME, shown, self.places)
        texts = (*welcome.texts, Msg(m.SAFETY, safety_params()))
        return Outcome(shown, (Reply(texts, welcome.prompt, welcome.choices),))

    def _current(self, state: ConversationState) -> tuple[Reply, ...]:
        if state.dialog == "edit":
            return (edit_dialog(self._flow(state), state),)
        if state.dialog is not None:
            return (self._dialog_reply(state),)
        if state.prompt in (START, WELCOME.id) or state.flow is None:
            return self._welcome(state).replies
        return (ask(self._step(state), state, self.places, self._flow(state)),)

    def _dialog_reply(self, state: ConversationState) -> Reply:
        assert state.dialog is not None
        if state.dialog == "edit":
            return edit_dialog(self._flow(state), state)
        if state.dialog == "resume":
            started = state.started_at or state.updated_at
            assert started is not None
            return ask_dialog(DIALOGS["resume"], state, date=When(started))
        return ask_dialog(DIALOGS[state.dialog], state)

    def _dialog(self, state: ConversationState, event: Event, now: datetime) -> Outcome:
        assert state.dialog is not None
        choice = self._chosen(state, self._dialog_reply(state), event)
        if isinstance(choice, Miss):
            return self._miss(state, choice)
        back = state.with_(dialog=None, misses=0)
        match state.dialog, choice:
            case "language", code:
                back = back.with_(language=code)
                if back.flow is None and back.voices:  # a voice note waited for the language
                    started = self._start_voice(back, now)
                    replies = (Reply((msg(m.LANGUAGE_SET),)), *started.replies)
                    return Outcome(started.state, replies, (SetLanguage(code), *started.effects))
                return Outcome(
                    back,
                    (Reply((msg(m.LANGUAGE_SET),)), *self._current(back)),
                    (SetLanguage(code),),
                )
            case ("confirm_restart", "yes") | ("resume", "restart"):
                return self._welcome(self._fresh(state, now))
            case ("confirm_stop", "yes"):
                return Outcome(self._fresh(state, now), (again((msg(m.STOPPED),)),))
            case ("confirm_erase", "yes"):
                # The shell keeps nothing of this state; the next message starts afresh. No
                # button: a message with live buttons is one the channel would remember.
                fresh = self.new_state(state.language).with_(updated_at=now)
                return Outcome(fresh, (Reply((msg(m.ERASED),)),), (EraseReporter(),))
            case ("trouble", "help"):
                helped = Reply((Msg(m.HELP, command_params()),))
                return Outcome(back, (helped, *self._current(back)))
            case ("trouble", "stop"):
                return self._ask(back, "confirm_stop")
            case ("edit", "back"):
                back = back.with_(prompt="summary", editing=False)
            case ("edit", step_id):
                back = back.with_(
                    prompt=step_id, editing=True, selection=self._selection(back, step_id)
                )
        if back.flow is None and back.voices:  # a voice note waited for this answer
            return self._start_voice(back, now)
        return Outcome(back, self._current(back))

    # -- answering the current step ------------------------------------------------

    def _answer(self, state: ConversationState, event: Event, now: datetime) -> Outcome:
        if state.flow is None:
            return self._welcome_choice(state, event, now)
        flow, step = self._flow(state), self._step(state)
        if isinstance(event, Pick) and event.prompt != step.id:
            return Outcome(state, (Reply((msg(m.STALE),)), *self._current(state)))
        result = interpret(step, state, event, self.labels, self.places)
        if isinstance(result, Miss) and step.kind == Kind.SUMMARY and isinstance(event, TextIn):
            return self._summary_note(flow, state, event, result)
        if isinstance(result, Miss):
            return self._miss(state, result)
        return self._apply(flow, step, state, result, now)

    def _summary_note(
        self, flow: Flow, state: ConversationState, event: TextIn, miss: Miss
    ) -> Outcome:
        """Typed at the summary: the note offered there (when the flow has one)."""
        noted = note_at_summary(flow, event.text)
        if noted is None:
            return self._miss(state, miss)
        if isinstance(noted, Miss):
            return self._miss(state, noted)
        shown = state.with_(answers={**state.answers, **noted}, misses=0)
        return Outcome(shown, self._current(shown))

    def _welcome_choice(self, state: ConversationState, event: Event, now: datetime) -> Outcome:
        if isinstance(event, Pick) and event.prompt != WELCOME.id:
            return Outcome(state, (Reply((msg(m.STALE),)), *self._current(state)))
        choice = self._chosen(state, ask(WELCOME, state, self.places), event)
        if isinstance(choice, Miss):
            return self._miss(state, choice)
        if choice == "privacy":
            privacy = Reply((Msg(m.PRIVACY, command_params()),))
            return Outcome(state.with_(misses=0), (privacy, *self._current(state)))
        if choice in LANGUAGES:  # another language, named in itself on the welcome
            back = state.with_(language=choice, misses=0)
            reply = Reply((msg(m.LANGUAGE_SET),))
            return Outcome(back, (reply, *self._current(back)), (SetLanguage(choice),))
        flow = self.flows[STARTS[choice]]
        picked = next(c for c in shown_choices(WELCOME, state) if c.id == choice)
        answers = start_answers(flow, picked, state.preset, flow.id == PARTNER_FLOW)
        started = state.with_(
            flow=flow.id, answers=answers, started_at=now, misses=0, editing=False
        )
        started = started.with_(prompt=first_step(flow, started).id)
        # Whether the reporter may send another signal today is the shell's to know.
        return Outcome(started, self._current(started), (CheckSignalLimit(),))

    def _apply(
        self, flow: Flow, step: Step, state: ConversationState, result: AnswerResult, now: datetime
    ) -> Outcome:
        if result.selection is not None:  # a multi-select toggle: stay on the step
            toggled = state.with_(selection=result.selection, misses=0)
            return Outcome(toggled, self._current(toggled))
        if result.action == "send":
            draft = build_draft(flow, state, now)
            return Outcome(state, (), (StoreSignal(draft),))
        if result.action == "change":
            asked = state.with_(dialog="edit", misses=0)
            return Outcome(asked, self._current(asked))
        if result.action in {"cancel", "stop"}:
            return self._ask(state, "confirm_stop")
        given = answers_given(flow, step, result)
        if isinstance(given, Miss):
            return self._miss(state, given)
        answers = prune(flow, {**state.answers, **given})
        answered = state.with_(answers=answers, selection=(), misses=0)
        nxt = after_answer(flow, answered, step)
        moved = answered.with_(prompt=nxt.id, editing=answered.editing and nxt.kind != Kind.SUMMARY)
        return Outcome(moved, self._current(moved))

    def _submitted(self, state: ConversationState, reference: str, now: datetime) -> Outcome:
        if state.flow is None or state.prompt != "summary":
            return Outcome(state)
        texts = done_texts(self._flow(state), state, reference)
        return Outcome(self._fresh(state, now), (again(texts),))

    def _partner_found(self, state: ConversationState, found: PartnerFound) -> Outcome:
        """What the partner's record fills in, kept for the reports this chat starts."""
        if found.code != state.partner:
            return Outcome(state)
        preset = partner_preset(self.flows[PARTNER_FLOW], found, self.places)
        return Outcome(state.with_(preset=preset))

    def _refused(self, state: ConversationState, now: datetime) -> Outcome:
        if self.municipality_phone:
            phone = Token(self.municipality_phone)
            limit = Msg(m.SIGNAL_LIMIT, {**safety_params(), "phone": phone})
        else:
            limit = Msg(m.SIGNAL_LIMIT_NO_NUMBER, safety_params())
        if state.flow is None:
            return Outcome(state)
        if state.prompt == "summary":  # refused at "send": the draft waits for another day
            kept = Reply((limit, msg(m.SIGNAL_LIMIT_KEPT)))
            return Outcome(state, (kept, *self._current(state)))
        # Refused as the report starts: before anything is typed for nothing.
        welcome = self._welcome(self._fresh(state, now))
        return Outcome(welcome.state, (Reply((limit,)), *welcome.replies))

    # -- voice notes -------------------------------------------------------------------

    def _voice(self, state: ConversationState, event: VoiceIn, now: datetime) -> Outcome:
        """A voice note starts a report (the voice flow), answers a free-text question, or
        is kept with the report while the question is asked again. A note the outcome's
        state does not list is not kept (the shell drops its audio)."""
        if len(state.voices) >= self.max_voice_notes:
            count = self.max_voice_notes
            full = Msg(m.VOICE_LIMIT, {"count": count}, plural=m.VOICE_LIMIT_PLURAL, count=count)
            if state.prompt == START_LANGUAGE:
                asked = self._first_language(state, event)
                return Outcome(asked.state, (Reply((full,)), *asked.replies))
            return Outcome(state, (Reply((full,)), *self._current(state)))
        idle = self._idle(state, now) and state.flow is not None
        state = state.with_(updated_at=now)
        kept = state.with_(voices=(*state.voices, VoiceRef(event.note, round(event.seconds))))
        if state.prompt == START_LANGUAGE:  # the language first: then the voice flow starts
            asked = self._first_language(kept, event)
            return Outcome(asked.state, (Reply((msg(m.VOICE_THANKS),)), *asked.replies))
        waiting = state.dialog is not None or idle
        if state.flow is None and not waiting:
            # The welcome on screen showed the safety numbers already.
            shown = state.prompt == WELCOME.id
            return self._start_voice(kept, now, safety=not shown)
        if waiting:
            kept = kept.with_(dialog=kept.dialog or "resume")
            return Outcome(kept, (Reply((msg(m.VOICE_KEPT),)), *self._current(kept)))
        flow, step = self._flow(kept), self._step(kept)
        answer = Answer(choice=VOICE_ANSWER, value=str(event.note))
        thanks = Reply((msg(m.VOICE_THANKS),))
        if step.kind == Kind.TEXT:
            applied = self._apply(flow, step, kept, AnswerResult(answer=answer), now)
            return Outcome(applied.state, (thanks, *applied.replies), applied.effects)
        note = next((s for s in flow.steps if s.part_of == step.id), None)
        unnoted = note is not None and kept.answers.get(note.id, Answer(choice="skip")).choice
        if step.kind == Kind.SUMMARY and note is not None and unnoted == "skip":
            noted = kept.with_(answers={**kept.answers, note.id: answer}, misses=0)
            return Outcome(noted, (thanks, *self._current(noted)))
        return Outcome(kept, (Reply((msg(m.VOICE_KEPT),)), *self._current(kept)))

    def _start_voice(
        self, state: ConversationState, now: datetime, *, safety: bool = True
    ) -> Outcome:
        """The voice flow, for a reporter who spoke before any report: call-back questions
        with buttons, in the chat's language, after the safety numbers (unless the welcome
        showed them just now)."""
        flow = self.flows[VOICE_FLOW]
        started = state.with_(
            flow=flow.id,
            answers={"contact_language": Answer(choice=state.language)},
            dialog=None,
            selection=(),
            started_at=now,
            misses=0,
            editing=False,
        )
        started = started.with_(prompt=first_step(flow, started).id)
        texts = (
            (msg(m.VOICE_START), Msg(m.SAFETY, safety_params()))
            if safety
            else (msg(m.VOICE_START),)
        )
        intro = Reply(texts)
        return Outcome(started, (intro, *self._current(started)), (CheckSignalLimit(),))

    def _asks_phone(self, state: ConversationState) -> bool:
        return (
            state.flow is not None and state.dialog is None and self._step(state).kind == Kind.PHONE
        )

    # -- helpers ---------------------------------------------------------------------

    def _fresh(self, state: ConversationState, now: datetime) -> ConversationState:
        """A new conversation for the same reporter, keeping the partner's link."""
        fresh = self.new_state(state.language, state.partner)
        return fresh.with_(preset=state.preset, updated_at=now)

    def _miss(self, state: ConversationState, miss: Miss) -> Outcome:
        missed = state.with_(misses=state.misses + 1)
        hint = Reply((miss.hint,))
        if missed.misses >= MAX_MISSES and missed.dialog is None:
            asked = missed.with_(dialog="trouble", misses=0)
            return Outcome(asked, (hint, self._dialog_reply(asked)))
        return Outcome(missed, (hint, *self._current(missed)))

    def _chosen(self, state: ConversationState, asked: Reply, event: Event) -> str | Miss:
        if isinstance(event, Pick):
            if event.prompt == asked.prompt and any(c.id == event.choice for c in asked.choices):
                return event.choice
            return Miss(msg(m.STALE))
        if isinstance(event, TextIn):
            return self.labels.pick(event.text, asked.choices, state.language)
        return Miss(msg(m.NOT_UNDERSTOOD))

    def _selection(self, state: ConversationState, step_id: str) -> tuple[str, ...]:
        answer = state.answers.get(step_id, Answer())
        return answer.choices

    def _idle(self, state: ConversationState, now: datetime) -> bool:
        return (
            state.has_draft
            and state.updated_at is not None
            and now - state.updated_at >= RESUME_AFTER
        )

    def _flow(self, state: ConversationState) -> Flow:
        assert state.flow is not None
        return self.flows[state.flow]

    def _step(self, state: ConversationState) -> Step:
        return self._flow(state).step(state.prompt)


def _notice(event: Unreadable | VoiceRefused) -> Msg:
    """What the reporter is told about something the bot could not take."""
    if isinstance(event, Unreadable):
        return msg(m.EDITED if event.kind == "edited" else m.UNREADABLE)
    if event.reason == "too_long":
        minutes = max(1, int(event.limit // 60))
        return Msg(
            m.VOICE_TOO_LONG, {"count": minutes}, plural=m.VOICE_TOO_LONG_PLURAL, count=minutes
        )
    if event.reason == "too_large":
        return msg(m.VOICE_TOO_LARGE)
    return msg(m.VOICE_UNPLAYABLE)


def _international(phone: str) -> str:
    """A shared contact's number as typed with its country code (Telegram sends
    "31612345678" or "+31612345678")."""
    digits = "".join(c for c in phone if c.isascii() and c.isdigit())
    return f"+{digits}" if digits else phone


def _looking_up(outcome: Outcome, partner: str | None) -> Outcome:
    """``outcome``, asking the shell what partner ``partner``'s record fills in."""
    if partner is None:
        return outcome
    effects: tuple[Effect, ...] = (*outcome.effects, LookUpPartner(partner))
    return Outcome(outcome.state, outcome.replies, effects)
