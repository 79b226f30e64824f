"""ConversationState as stored in the database: the same JSON both ways, and states stored
by older versions (fewer keys) still read."""

from __future__ import annotations

import dataclasses
import json
from datetime import UTC, datetime, timedelta, timezone

import pytest

from core.dialog.state import Answer, ConversationState, VoiceRef

T0 = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)

FULL = ConversationState(
    language="tr",
    flow="report_other",
    prompt="postcode",
    dialog="confirm_stop",
    answers={
        "relation": Answer(choice="neighbour"),
        "signs": Answer(choices=("alone", "no_visitors")),
        "note": Answer(value="Zij komt de deur niet meer uit 🙁"),
        "both": Answer(choice="other", value="de buurvrouw"),
    },
    selection=("alone",),
    editing=True,
    misses=2,
    partner="bibliotheek",
    preset={"role": Answer(choice="shop"), "place": Answer(choice="area", value="axel")},
    started_at=T0,
    updated_at=T0.astimezone(timezone(timedelta(hours=1))) + timedelta(minutes=3),
)


# A report by voice: the notes kept with it, and the number the chat app knows.
SPOKEN = FULL.with_(
    flow="report_voice",
    voices=(VoiceRef(17, 42), VoiceRef(18, 5)),
    answers={"note": Answer(choice="voice", value="17")},
    known_phone="+31612345678",
)


@pytest.mark.parametrize("state", [ConversationState(), FULL, SPOKEN])
def test_round_trip_through_json_text(state: ConversationState) -> None:
    text = json.dumps(state.to_json(), ensure_ascii=False)
    again = ConversationState.from_json(json.loads(text))
    assert again == state
    assert again.to_json() == state.to_json()
    assert again.updated_at is not None or state.updated_at is None
    if state.updated_at is not None:
        assert again.updated_at is not None
        assert again.updated_at.utcoffset() == state.updated_at.utcoffset()


def test_the_json_format_is_unchanged() -> None:
    # What is stored in the database today; a change here needs a reader for the old form.
    assert FULL.to_json() == {
        "language": "tr",
        "flow": "report_other",
        "prompt": "postcode",
        "dialog": "confirm_stop",
        "answers": {
            "relation": {"choice": "neighbour"},
            "signs": {"choices": ["alone", "no_visitors"]},
            "note": {"value": "Zij komt de deur niet meer uit 🙁"},
            "both": {"choice": "other", "value": "de buurvrouw"},
        },
        "selection": ["alone"],
        "editing": True,
        "misses": 2,
        "partner": "bibliotheek",
        "preset": {"role": {"choice": "shop"}, "place": {"choice": "area", "value": "axel"}},
        "started_at": "2026-03-02T09:30:00+00:00",
        "updated_at": "2026-03-02T10:33:00+01:00",
    }


def test_an_old_state_without_the_newer_keys_reads_with_defaults() -> None:
    stored = {"language": "nl", "flow": "report_self", "prompt": "relation", "answers": {}}
    state = ConversationState.from_json(stored)
    assert state == ConversationState(language="nl", flow="report_self", prompt="relation")
    assert ConversationState.from_json({}) == ConversationState()


def test_read_states_are_like_built_ones() -> None:
    state = ConversationState.from_json(FULL.to_json())
    assert repr(state) == repr(FULL)
    assert dataclasses.asdict(state) == dataclasses.asdict(FULL)
    with pytest.raises(dataclasses.FrozenInstanceError):
        state.prompt = "other"  # type: ignore[misc]
    answer = Answer.from_json({"choices": ["a", "b"]})
    assert answer == Answer(choices=("a", "b"))
    assert hash(answer) == hash(Answer(choices=("a", "b")))
    with pytest.raises(dataclasses.FrozenInstanceError):
        answer.value = "x"  # type: ignore[misc]
    assert state.with_(prompt="summary").prompt == "summary"


def test_a_state_stored_before_presets_reads_without_them() -> None:
    stored = FULL.to_json()
    del stored["preset"]
    assert ConversationState.from_json(stored).preset == {}


def test_voice_notes_and_the_known_number_are_stored_only_when_there_are_any() -> None:
    stored = SPOKEN.to_json()
    assert stored["voices"] == [[17, 42], [18, 5]]
    assert stored["known_phone"] == "+31612345678"
    assert "voices" not in FULL.to_json()
    assert "known_phone" not in FULL.to_json()
    # A malformed entry (hand-edited, or from a future version) is left out, not fatal.
    odd = {**stored, "voices": [[17, 42], ["x", 1], [1], True]}
    assert ConversationState.from_json(odd).voices == (VoiceRef(17, 42),)
