"""The registry of outbound kinds: every kind the services queue is in it, with a
composer and who may receive it; exactly the kinds that carry personal details or a
reporter's words (or voice) to staff disclose."""

from __future__ import annotations

from bot.outbox import kinds
from core.followup import rules as f
from core.lifecycle.parties import LOKET, Reporter, StaffMember
from storage.records import StoredSignal
from tests.support.builders import NOW, make_draft


def test_every_kind_queued_is_registered() -> None:
    queued = {
        kinds.LOKET_CARD, kinds.CARD_UPDATE, kinds.STAFF_DETAILS, kinds.STAFF_CARD,
        kinds.NEEDS_HELP, kinds.ADMIN_ALERT, kinds.LOKET_MOVED, kinds.REPORTER_FLAG,
        kinds.REPORTER_REPLY, kinds.DIGEST, kinds.REPORTER_QUESTION, kinds.REPORTER_MAIL,
        kinds.VOICE_NOTE,
        f.REPORTER_CHECKIN, *(kind for status in f.STATUS_CHECKINS.values() for kind in status),
    }  # fmt: skip
    assert queued == set(kinds.KINDS)
    assert all(kind.receivers for kind in kinds.KINDS.values())


def test_who_may_receive_what() -> None:
    card, details = kinds.KINDS[kinds.LOKET_CARD], kinds.KINDS[kinds.STAFF_DETAILS]
    checkin = kinds.KINDS[f.REPORTER_CHECKIN]
    assert card.may_reach(LOKET)
    assert not card.may_reach(StaffMember(1))
    assert details.may_reach(StaffMember(1))
    assert not details.may_reach(LOKET)
    assert checkin.may_reach(Reporter(3))
    assert not checkin.may_reach(StaffMember(1))
    assert kinds.KINDS[kinds.NEEDS_HELP].composer == "staff"  # a staff action's message
    voice = kinds.KINDS[kinds.VOICE_NOTE]
    assert voice.may_reach(StaffMember(1))
    assert not voice.may_reach(LOKET)  # a reporter's voice never goes to the group
    assert not voice.may_reach(Reporter(3))


def test_only_details_and_reporters_words_disclose() -> None:
    disclosing = {kind.id for kind in kinds.KINDS.values() if kind.discloses}
    assert disclosing == {kinds.STAFF_DETAILS, kinds.REPORTER_REPLY, kinds.VOICE_NOTE}


def test_a_stored_signal_queues_its_card_for_the_group() -> None:
    signal = StoredSignal(
        id=5,
        reference="SP-2026-0005",
        status="new",
        channel="web",
        created_at=NOW,
        draft=make_draft(),
    )
    [card] = kinds.when_stored(signal)
    assert (card.kind, card.target, card.signal_id) == (kinds.LOKET_CARD, LOKET, 5)
