"""Conversation state: plain, immutable, and JSON-serialisable so it survives a restart."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace
from datetime import datetime
from typing import Any

from core.text.languages import DEFAULT_LANGUAGE


@dataclass(frozen=True)
class Answer:
    """An answer to one step: a choice id, several choice ids, or a value.

    ``value`` holds typed text, a normalised postcode or an E.164 phone number.
    """

    choice: str | None = None
    choices: tuple[str, ...] = ()
    value: str | None = None

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {}
        if self.choice is not None:
            data["choice"] = self.choice
        if self.choices:
            data["choices"] = list(self.choices)
        if self.value is not None:
            data["value"] = self.value
        return data

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Answer:
        """The answer ``to_json`` wrote (keys left out are their defaults)."""
        # Built without the frozen dataclass's __init__, which sets each field through
        # object.__setattr__: a stored state is read on every step, with all its answers.
        answer = object.__new__(cls)
        choices = data.get("choices")
        answer.__dict__.update(
            {
                "choice": data.get("choice"),
                "choices": tuple(choices) if choices else (),
                "value": data.get("value"),
            }
        )
        return answer


@dataclass(frozen=True)
class VoiceRef:
    """A voice note kept with the report being made: the shell's id for it (its audio is
    stored apart, never in the state) and its length in whole seconds."""

    id: int
    seconds: int

    def to_json(self) -> list[int]:
        return [self.id, self.seconds]

    @classmethod
    def from_json(cls, data: object) -> VoiceRef | None:
        if (
            isinstance(data, list)
            and len(data) == 2
            and all(isinstance(x, int) and not isinstance(x, bool) for x in data)
        ):
            return cls(data[0], data[1])
        return None


@dataclass(frozen=True)
class ConversationState:
    """Where one reporter is. ``prompt`` is the id of the question on screen.

    ``flow`` is None before a report starts. ``dialog`` is a question asked on top of the
    current step (language, confirm stop, ...); answering it returns to ``prompt``.
    """

    language: str = DEFAULT_LANGUAGE
    flow: str | None = None
    prompt: str = "welcome"
    dialog: str | None = None
    answers: Mapping[str, Answer] = field(default_factory=dict)
    selection: tuple[str, ...] = ()  # multi-select in progress
    editing: bool = False  # came from the summary; return there
    misses: int = 0
    partner: str | None = None
    # Answers a partner's link fills in when a report starts (the shop's role and place);
    # shown in the summary like any answer, and changed there.
    preset: Mapping[str, Answer] = field(default_factory=dict)
    started_at: datetime | None = None
    updated_at: datetime | None = None
    # Voice notes kept with the report so far (the shell stores their audio).
    voices: tuple[VoiceRef, ...] = ()
    # The reporter's own number as the chat app knows it (WhatsApp), E.164: offered when
    # a call-back number is asked, so it is confirmed with one tap.
    known_phone: str | None = None

    @property
    def has_draft(self) -> bool:
        return self.flow is not None and bool(self.answers)

    def with_(self, **changes: Any) -> ConversationState:
        # dataclasses.replace, without its per-field work (a step makes several copies).
        if not changes.keys() <= _FIELDS:
            return replace(self, **changes)  # raises its TypeError for an unknown field
        copy = object.__new__(ConversationState)
        copy.__dict__.update(self.__dict__, **changes)
        return copy

    def to_json(self) -> dict[str, Any]:
        return {
            "language": self.language,
            "flow": self.flow,
            "prompt": self.prompt,
            "dialog": self.dialog,
            "answers": {k: v.to_json() for k, v in self.answers.items()},
            "selection": list(self.selection),
            "editing": self.editing,
            "misses": self.misses,
            "partner": self.partner,
            "preset": {k: v.to_json() for k, v in self.preset.items()},
            "started_at": self.started_at.isoformat() if self.started_at else None,
            "updated_at": self.updated_at.isoformat() if self.updated_at else None,
            # Only when there are any: most states have neither, and are stored unchanged.
            **({"voices": [voice.to_json() for voice in self.voices]} if self.voices else {}),
            **({"known_phone": self.known_phone} if self.known_phone else {}),
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> ConversationState:
        """The state ``to_json`` wrote; keys missing in states stored by older versions take
        their defaults."""
        started, updated = data.get("started_at"), data.get("updated_at")
        answer = Answer.from_json
        # As in Answer.from_json: every field is given, so the instance is the one
        # __init__ would make (there is no __post_init__).
        state = object.__new__(cls)
        state.__dict__.update(
            {
                "language": data.get("language", DEFAULT_LANGUAGE),
                "flow": data.get("flow"),
                "prompt": data.get("prompt", "welcome"),
                "dialog": data.get("dialog"),
                "answers": {k: answer(v) for k, v in data.get("answers", {}).items()},
                "selection": tuple(data.get("selection", ())),
                "editing": bool(data.get("editing", False)),
                "misses": int(data.get("misses", 0)),
                "partner": data.get("partner"),
                "preset": {k: answer(v) for k, v in (data.get("preset") or {}).items()},
                "started_at": datetime.fromisoformat(started) if started else None,
                "updated_at": datetime.fromisoformat(updated) if updated else None,
                "voices": tuple(
                    voice
                    for voice in map(VoiceRef.from_json, data.get("voices") or ())
                    if voice is not None
                ),
                "known_phone": data.get("known_phone"),
            }
        )
        return state


_FIELDS = frozenset(f.name for f in fields(ConversationState))
