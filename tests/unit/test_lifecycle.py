"""The lifecycle table and the one function that checks staff actions."""

from __future__ import annotations

import pytest

from conversations import lifecycle
from conversations.lifecycle import Refusal, check_action, next_actions


def test_claim_is_allowed_for_every_role_on_a_new_signal() -> None:
    for role in lifecycle.ROLES:
        action = check_action("claim", lifecycle.NEW, role=role, is_assignee=False)
        assert not isinstance(action, Refusal)
        assert action.target == lifecycle.CLAIMED


@pytest.mark.parametrize(
    ("action", "status", "role", "assignee", "reason"),
    [
        ("claim", lifecycle.NEW, None, False, lifecycle.NOT_STAFF),
        ("claim", lifecycle.CLAIMED, "loket", False, lifecycle.WRONG_STATUS),
        ("contact", lifecycle.CLAIMED, "loket", False, lifecycle.NOT_ASSIGNEE),
        ("release", lifecycle.NEW, "admin", False, lifecycle.WRONG_STATUS),
        ("forged", lifecycle.NEW, "admin", True, lifecycle.UNKNOWN_ACTION),
        ("claim", lifecycle.NEW, "intern", False, lifecycle.NOT_ALLOWED),
    ],
)
def test_refusals(action: str, status: str, role: str | None, assignee: bool, reason: str) -> None:
    assert check_action(action, status, role=role, is_assignee=assignee) == Refusal(reason)


def test_a_regisseur_may_act_on_a_colleagues_signal() -> None:
    action = check_action("contact", lifecycle.CLAIMED, role="regisseur", is_assignee=False)
    assert not isinstance(action, Refusal)


def test_next_actions_never_offer_claim_and_follow_the_table() -> None:
    assert [a.id for a in next_actions(lifecycle.CLAIMED)] == [
        "contact",
        "close",
        "cannot_follow_up",
        "needs_help",
        "ask_reporter",
        "release",
    ]
    assert next_actions(lifecycle.NEW) == ()
    for status in lifecycle.STATUS_LABELS:
        for action in next_actions(status):
            assert status in action.sources


def test_every_target_status_has_a_label() -> None:
    for action in lifecycle.ACTIONS.values():
        assert action.target is None or action.target in lifecycle.STATUS_LABELS
        assert action.sources <= set(lifecycle.STATUS_LABELS)
