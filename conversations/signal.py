"""A finished report as language-independent codes, ready to be stored."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime


@dataclass(frozen=True)
class SignalDraft:
    """What the shell stores when a reporter presses "send".

    Codes are the stable step/choice ids of the flows. Personal fields (names, phone
    numbers, free text) are kept apart so storage can protect them.
    """

    kind: str  # "other" | "self"
    language: str  # the reporter's language; staff read the signal in Dutch
    urgent: bool
    submitted_at: datetime
    codes: dict[str, str | None] = field(default_factory=dict)  # step id -> choice id
    multi: dict[str, tuple[str, ...]] = field(default_factory=dict)  # step id -> choice ids
    postcode: str | None = None
    area: str | None = None
    person_contact: str | None = None
    note: str | None = None
    language_other: str | None = None  # the language typed after "another language"
    reporter_name: str | None = None
    reporter_phone: str | None = None
    partner: str | None = None

    @property
    def role(self) -> str | None:
        return self.codes.get("role")

    @property
    def age_group(self) -> str | None:
        return self.codes.get("age_group")
