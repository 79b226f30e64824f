"""Targets and actors as the database holds them: every form written is read back as the
same value, and text of no known form is read as nobody (never as someone else)."""

from __future__ import annotations

import pytest

from core.lifecycle.parties import (
    CLI,
    LOKET,
    SYSTEM,
    WEB_VISITOR,
    Account,
    Actor,
    Reporter,
    StaffMember,
    as_text,
    parse_actor,
    parse_target,
)

FORMS: list[tuple[Actor, str]] = [
    (LOKET, "loket"),
    (StaffMember(7), "staff:7"),
    (Reporter(12), "reporter:12"),
    (Reporter(None), "reporter:anonymous"),
    (SYSTEM, "system"),
    (CLI, "cli"),
    (WEB_VISITOR, "web"),
    (Account("telegram", "601"), "telegram:601"),
]


@pytest.mark.parametrize(("party", "text"), FORMS)
def test_each_form_is_written_and_read_back(party: Actor, text: str) -> None:
    assert as_text(party) == text
    assert parse_actor(text) == party


def test_only_the_loket_group_staff_and_named_reporters_are_targets() -> None:
    assert [parse_target(text) for _, text in FORMS] == [
        LOKET,
        StaffMember(7),
        Reporter(12),
        None,  # a reporter we keep no id of cannot be written to
        None,
        None,
        None,
        None,
    ]


@pytest.mark.parametrize(
    "text",
    ["", "601", "-100500", "staff:", "staff:x", "staff:٣", "staff:-1", "reporter:", "loket:1",
     "sms:31612345678", "staff:1:2", "scheduler"],
)  # fmt: skip
def test_text_of_no_known_form_is_nobody(text: str) -> None:
    assert parse_target(text) is None
    assert parse_actor(text) is None
