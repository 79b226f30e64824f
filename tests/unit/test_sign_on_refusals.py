"""Every refusal reason of the relying party gets a page that says what to do, a status
that is not a server error, and an access-history outcome that fits its column."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import String

from bot.dashboard.sign_on import REVOKED, audit_outcome
from bot.dashboard.sign_on_routes import (
    ACCESS_REVOKED,
    CANCELLED,
    NO_ACCESS,
    STALE,
    TOO_MANY_GROUPS,
    UNREACHABLE,
    UNVERIFIED,
    refusal,
)
from storage.models import AuditEntry

SOURCE = Path(__file__).resolve().parents[2] / "bot" / "sso" / "relying_party.py"
# Every reason the relying party names in its ``Refused`` comment, and ours.
REASONS = sorted(
    set(
        re.findall(
            r"[a-z_]+",
            " ".join(
                line.strip("# ")
                for line in SOURCE.read_text()
                .split("class Refused:")[1]
                .split("reason: str")[0]
                .splitlines()
            ),
        )
    )
    | {REVOKED}
)
NOW = datetime(2026, 12, 7, 21, 30, tzinfo=UTC)


def test_the_reasons_are_read_from_the_relying_party() -> None:
    assert {"bad_signature", "wrong_audience", "expired", "no_role"} <= set(REASONS)
    assert "state_unknown_or_replayed" in REASONS


@pytest.mark.parametrize("reason", REASONS)
def test_each_refusal_has_a_page_and_fits_the_history(reason: str) -> None:
    status, message = refusal(reason, "Gemeente Terneuzen", NOW)
    assert status in (400, 403, 503)
    assert message.msgid in {
        NO_ACCESS,
        ACCESS_REVOKED,
        TOO_MANY_GROUPS,
        UNREACHABLE,
        CANCELLED,
        STALE,
        UNVERIFIED,
    }
    column = AuditEntry.__table__.c.outcome.type
    assert isinstance(column, String)
    assert column.length is not None
    assert len(audit_outcome(reason)) <= column.length


def test_a_token_problem_names_the_local_time_for_the_administrator() -> None:
    _, message = refusal("bad_signature", "x", NOW)
    assert message.params == {"time": "22:30"}  # Europe/Amsterdam in December
