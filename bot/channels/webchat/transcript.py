"""What a resident's web chat shows: the conversation so far, as plain values.

Who said what ("me": the resident; "bot": the engine's replies; "loket": a check-in or a
question from the loket), kept to the last ``MAX_ENTRIES``. Only the latest bot message's
choices are live; a loket message's buttons stay live until one is used, and a question
from the loket stays open until it is answered. Stored as JSON (encrypted, see
``storage.webchat``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

from bot.rendering import RenderedReply
from core.text.render import list_separator

MAX_ENTRIES = 40
ME, BOT, LOKET = "me", "bot", "loket"


@dataclass(frozen=True)
class Choice:
    id: str  # a bot message: the engine's choice id; a loket message: the button's data
    label: str
    selected: bool = False


@dataclass(frozen=True)
class Entry:
    n: int  # numbers every entry of the chat, in order (the page's anchors)
    who: str
    text: str
    language: str = "nl"
    prompt: str | None = None
    choices: tuple[Choice, ...] = ()
    multi: bool = False
    reference: str | None = None
    question: bool = False  # the loket asks; the resident answers in words
    done: bool = False  # a loket message's button was used, or its question answered
    phone: bool = False  # the bot asks a phone number: the answer box is a phone field

    def choice(self, choice_id: str) -> Choice | None:
        return next((c for c in self.choices if c.id == choice_id), None)


@dataclass(frozen=True)
class Transcript:
    language: str = "nl"
    entries: tuple[Entry, ...] = ()
    next_n: int = 1

    # -- reading -----------------------------------------------------------------------

    def last_bot(self) -> Entry | None:
        return next((e for e in reversed(self.entries) if e.who == BOT), None)

    def live(self, entry: Entry) -> bool:
        """Whether ``entry``'s buttons can be pressed."""
        if entry.who == LOKET:
            return bool(entry.choices) and not entry.done
        last = self.last_bot()
        return entry.who == BOT and last is not None and entry.n == last.n and bool(entry.choices)

    def open_question(self, reference: str) -> Entry | None:
        """The loket's unanswered question about ``reference``."""
        return next(
            (
                e
                for e in reversed(self.entries)
                if e.who == LOKET and e.question and not e.done and e.reference == reference
            ),
            None,
        )

    def answering(self, reference: str | None = None) -> Entry | None:
        """The question of the municipality the answer box answers: the one asked about
        ``reference`` (the resident chose to answer it), else one that is the newest
        message; None: the box answers the conversation."""
        if reference is not None and (asked := self.open_question(reference)) is not None:
            return asked
        latest = self.latest()
        if latest is not None and latest.who == LOKET and latest.question and not latest.done:
            return latest
        return None

    def loket_button(self, data: str) -> tuple[Entry, Choice] | None:
        for entry in reversed(self.entries):
            if entry.who == LOKET and (found := entry.choice(data)) is not None:
                return entry, found
        return None

    def asks_phone(self) -> bool:
        """Whether the question the answer box answers asks for a phone number."""
        last = self.last_bot()
        return last is not None and last.phone and self.latest() is last

    def latest(self) -> Entry | None:
        """The newest message to the resident (where the page puts the focus)."""
        return next((e for e in reversed(self.entries) if e.who != ME), None)

    # -- changing ----------------------------------------------------------------------

    def _add(self, entries: Sequence[Entry]) -> Transcript:
        numbered = tuple(replace(e, n=self.next_n + i) for i, e in enumerate(entries))
        kept = (*self.entries, *numbered)[-MAX_ENTRIES:]
        return replace(self, entries=kept, next_n=self.next_n + len(numbered))

    def said(self, text: str | None, replies: Sequence[RenderedReply]) -> Transcript:
        """The resident's words (None: nothing to show) and the bot's replies."""
        language = replies[-1].language if replies else self.language
        entries = [Entry(0, ME, text, language)] if text else []
        entries.extend(bot_entry(r) for r in replies)
        return replace(self._add(entries), language=language)

    def toggled(self, reply: RenderedReply) -> Transcript:
        """A multi-select toggle: the question is shown again with its marks, in place."""
        last = self.last_bot()
        assert last is not None
        fresh = replace(bot_entry(reply), n=last.n)
        entries = tuple(fresh if e.n == last.n else e for e in self.entries)
        return replace(self, entries=entries, language=reply.language)

    def picked(self, prompt: str, choice_id: str, replies: Sequence[RenderedReply]) -> Transcript:
        """The resident pressed a choice of a bot message: "me" is its label (at a
        multi-select's Done, the labels chosen); a toggle redraws the question in place."""
        last = self.last_bot()
        if (
            last is not None
            and last.multi
            and last.prompt == prompt
            and last.choice(choice_id) is not None
            and len(replies) == 1
            and replies[0].prompt == prompt
            and replies[0].multi
        ):
            return self.toggled(replies[0])
        shown = next(
            (e for e in reversed(self.entries) if e.who == BOT and e.prompt == prompt), None
        )
        pressed = shown.choice(choice_id) if shown is not None else None
        label = pressed.label if pressed is not None else None
        if shown is not None and shown.multi:
            chosen = [c.label for c in shown.choices if c.selected]
            label = list_separator(shown.language).join(chosen) if chosen else label
        return self.said(label, replies)

    def used_button(self, data: str, reply: RenderedReply) -> Transcript:
        """The resident pressed a loket message's button (a check-in answer)."""
        found = self.loket_button(data)
        if found is None:
            return self.said(None, [reply])
        entry, pressed = found
        return self.closed(entry).said(pressed.label, [reply])

    def answered(self, reference: str, text: str, reply: RenderedReply) -> Transcript:
        """The resident answered the loket's question about ``reference``."""
        question = self.open_question(reference)
        marked = self.closed(question) if question is not None else self
        return marked.said(text, [reply])

    def from_loket(self, entry: Entry) -> Transcript:
        return self._add([entry])

    def closed(self, entry: Entry) -> Transcript:
        """``entry`` (a loket message) was answered: its buttons or question are done."""
        return replace(
            self,
            entries=tuple(replace(e, done=True) if e.n == entry.n else e for e in self.entries),
        )

    def in_language(self, language: str) -> Transcript:
        return replace(self, language=language)

    # -- storing -----------------------------------------------------------------------

    def to_json(self) -> dict[str, Any]:
        return {
            "v": 1,
            "language": self.language,
            "next": self.next_n,
            "entries": [_entry_json(e) for e in self.entries],
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any], default_language: str = "nl") -> Transcript:
        entries = tuple(_entry(e) for e in data.get("entries", ()) if isinstance(e, dict))
        last = max((e.n for e in entries), default=0)
        return cls(
            language=str(data.get("language") or default_language),
            entries=entries,
            next_n=max(int(data.get("next", 1)), last + 1),
        )


def bot_entry(reply: RenderedReply) -> Entry:
    return Entry(
        0,
        BOT,
        reply.text,
        reply.language,
        prompt=reply.prompt,
        choices=tuple(Choice(c.id, c.label, c.selected) for c in reply.choices),
        multi=reply.multi,
        phone=reply.asks_phone,
    )


def _entry_json(entry: Entry) -> dict[str, Any]:
    data: dict[str, Any] = {"n": entry.n, "who": entry.who, "text": entry.text}
    data["lang"] = entry.language
    if entry.prompt is not None:
        data["prompt"] = entry.prompt
    if entry.choices:
        data["choices"] = [[c.id, c.label, c.selected] for c in entry.choices]
    for name in ("multi", "question", "done", "phone"):
        if getattr(entry, name):
            data[name] = True
    if entry.reference is not None:
        data["ref"] = entry.reference
    return data


def _entry(data: Mapping[str, Any]) -> Entry:
    prompt, reference = data.get("prompt"), data.get("ref")
    return Entry(
        n=int(data.get("n", 0)),
        who=str(data.get("who", BOT)),
        text=str(data.get("text", "")),
        language=str(data.get("lang", "nl")),
        prompt=str(prompt) if prompt is not None else None,
        choices=tuple(
            Choice(str(c[0]), str(c[1]), bool(c[2]))
            for c in data.get("choices", ())
            if isinstance(c, list) and len(c) == 3
        ),
        multi=bool(data.get("multi")),
        reference=str(reference) if reference is not None else None,
        question=bool(data.get("question")),
        done=bool(data.get("done")),
        phone=bool(data.get("phone")),
    )
