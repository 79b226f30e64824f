"""A small driver that talks to the engine as a reporter would (no mocks, no I/O)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime, timedelta

from core.dialog.draft import SignalDraft
from core.dialog.engine import Engine
from core.dialog.events import (
    CheckSignalLimit,
    Event,
    Outcome,
    Pick,
    Refused,
    Reply,
    StoreSignal,
    Submitted,
    TextIn,
)
from core.dialog.state import ConversationState
from core.text.catalog import Catalog
from core.text.render import render, render_label

T0 = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)


class Driver:
    def __init__(
        self,
        engine: Engine,
        catalogs: Mapping[str, Catalog],
        language: str = "nl",
        now: datetime = T0,
    ) -> None:
        self.engine = engine
        self.catalogs = catalogs
        self.now = now
        self.state: ConversationState = engine.new_state(language)
        self.replies: tuple[Reply, ...] = ()
        self.drafts: list[SignalDraft] = []
        self.references: list[str] = []
        # As the shell does when the reporter sent the most signals allowed in a day.
        self.at_signal_limit = False
        self.interactions = 0
        self.send(TextIn("/start"))
        self.interactions = 0

    @property
    def language(self) -> str:
        return self.state.language

    @property
    def last(self) -> Reply:
        return self.replies[-1]

    @property
    def prompt(self) -> str | None:
        return self.last.prompt if self.replies else None

    def send(self, event: Event, after: timedelta = timedelta(seconds=3)) -> Outcome:
        self.now += after
        self.interactions += 1
        outcome = self.engine.advance(self.state, event, self.now)
        self.state, self.replies = outcome.state, outcome.replies
        for effect in outcome.effects:
            if isinstance(effect, StoreSignal | CheckSignalLimit) and self.at_signal_limit:
                refused = self.engine.advance(self.state, Refused("limit"), self.now)
                self.state, self.replies = refused.state, refused.replies
            elif isinstance(effect, StoreSignal):
                self.drafts.append(effect.draft)
                reference = f"SP-2026-{len(self.drafts):04d}"
                self.references.append(reference)
                done = self.engine.advance(self.state, Submitted(reference), self.now)
                self.state, self.replies = done.state, self.replies + done.replies
        return outcome

    def tap(self, choice: str) -> Outcome:
        """Press a button of the current question."""
        prompt = self.prompt
        assert prompt is not None, self.texts()
        assert choice in self.choice_ids(), (choice, self.choice_ids())
        return self.send(Pick(prompt, choice))

    def type(self, text: str) -> Outcome:
        return self.send(TextIn(text))

    def type_label(self, choice: str) -> Outcome:
        """Type the label of a choice in the reporter's language, as shown."""
        return self.type(self.label(choice))

    def choice_ids(self) -> list[str]:
        return [c.id for c in self.last.choices]

    def label(self, choice: str) -> str:
        found = next(c for c in self.last.choices if c.id == choice)
        return render_label(found.label, self.catalogs[self.language], self.language)

    def texts(self) -> list[str]:
        catalog = self.catalogs[self.language]
        return [render(t, catalog, self.language) for r in self.replies for t in r.texts]

    def msgids(self) -> list[str]:
        return [t.msgid for r in self.replies for t in r.texts]
