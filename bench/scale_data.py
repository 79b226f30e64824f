"""A year of realistic signals and events for ``bench.scale``, bulk-inserted with SQL.

Rows are built as plain dicts in chunks and inserted with one multi-row ``INSERT`` per
chunk (SQLAlchemy Core ``insert(...)`` with a list: executemany / insertmanyvalues), never
one ORM object at a time. Each signal gets its lifecycle as events: created, picked up
(sometimes released and picked up again), contact, referral, on-track notes, questions to
the reporter and answers, closed (sometimes reopened and closed again); about ten a signal.
Old signals are mostly finished, recent ones open in every status.
"""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import insert
from sqlalchemy.ext.asyncio import AsyncEngine

from core.lifecycle import table as lc
from storage.models import Signal, SignalEvent, Staff

NOW = datetime(2026, 11, 23, 14, 0, tzinfo=UTC)
YEAR_MINUTES = 364 * 24 * 60
CHUNK = 2_000  # signals per insert round
STAFF = 20
AREAS = ("centrum", "noord", "oost", "zuid", "west", "haven", None)
PARTNERS = (None, None, "wijkteam", "huisarts", "bibliotheek")
CHANNELS = ("telegram", "telegram", "whatsapp", "web")
ROLES = ("neighbour", "family", "professional", "volunteer", None)
AGES = ("under_18", "18_64", "65_74", "75_plus", None)
OBSERVATIONS = ("alone", "withdrawn", "no_visitors", "mentioned", "neglect")
HELPS = ("visit", "activity", "talk", "practical")
OUTCOMES = tuple(lc.OUTCOMES)
REFERRALS = tuple(lc.REFERRALS)
FIRST = ("claim", "contact")


def _signal(
    number: int, created: datetime, rng: random.Random
) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    age_days = (NOW - created).days
    events: list[tuple[datetime, str, str | None, str]] = [(created, "created", None, "reporter")]
    at = created
    staff = rng.randrange(1, STAFF + 1)
    actor = f"staff:{staff}"

    def later(low: int, high: int) -> datetime:
        nonlocal at
        at = min(NOW, at + timedelta(minutes=rng.randrange(low, high)))
        return at

    # How far this signal got: recent ones are still on the way.
    progress = rng.random() if age_days < 45 else 1.0 - rng.random() * 0.08
    status, outcome, referred, assignee, claimed_at = lc.NEW, None, None, None, None
    if progress > 0.1:
        if rng.random() < 0.15:  # picked up and released once
            events.append((later(10, 600), "claim", None, f"staff:{rng.randrange(1, STAFF + 1)}"))
            events.append((later(10, 600), "release", None, actor))
        events.append((later(10, 2_000), "claim", None, actor))
        status, assignee, claimed_at = lc.CLAIMED, staff, at
    if progress > 0.3:
        events.append((later(60, 4_000), "contact", None, actor))
        status = lc.IN_CONTACT
    if progress > 0.45:
        referred = rng.choice(REFERRALS)
        events.append((later(60, 6_000), "refer", referred, actor))
        status = lc.REFERRED
        for _ in range(rng.randrange(2, 6)):
            events.append((later(600, 8_000), "on_track", None, actor))
    if progress > 0.55 and rng.random() < 0.5:
        events.append((later(60, 4_000), "ask_reporter", None, actor))
        events.append((later(60, 4_000), "reporter_answer", None, "reporter"))
    if progress > 0.6 and rng.random() < 0.5:
        events.append((later(60, 2_000), "needs_help", None, actor))
    if progress > 0.7:
        if rng.random() < 0.06:
            events.append((later(60, 6_000), "cannot_follow_up", None, actor))
            status = lc.CANNOT_FOLLOW_UP
        else:
            outcome = rng.choice(OUTCOMES)
            events.append((later(600, 10_000), "close", outcome, actor))
            status = lc.CLOSED
            if rng.random() < 0.08:
                events.append((later(600, 10_000), "reopen", None, "reporter"))
                status = lc.REOPENED
                if progress > 0.85:
                    events.append((later(600, 10_000), "close", outcome, actor))
                    status = lc.CLOSED
    kind = "self" if number % 7 == 0 else "other"
    # As SignalsRepository.add_event keeps them: the earliest event of each action.
    first = {a: min((e[0] for e in events if e[1] == a), default=None) for a in FIRST}
    place = rng.randrange(0, 12)  # a postcode area lies in one neighbourhood
    row = {
        "id": number,
        "reference": f"SP-{created.year}-{number:06d}",
        "kind": kind,
        "status": status,
        "urgent": number % 10 == 0,
        "language": "nl",
        "channel": rng.choice(CHANNELS),
        "partner": rng.choice(PARTNERS),
        "assignee_id": assignee,
        "claimed_at": claimed_at,
        "status_at": at,
        "referred_to": referred,
        "outcome": outcome if status == lc.CLOSED else None,
        "submitted_at": created,
        "created_at": created,
        "first_claimed_at": first["claim"],
        "first_contacted_at": first["contact"],
        "role": None if kind == "self" else rng.choice(ROLES),
        "age_group": None if kind == "self" else rng.choice(AGES),
        "checkin": "yes" if number % 3 == 0 else "no",
        "observations": sorted(rng.sample(OBSERVATIONS, rng.randrange(0, 3))),
        "help_wanted": sorted(rng.sample(HELPS, rng.randrange(0, 2))),
        "postcode4": f"{1011 + place}",
        "area": AREAS[place % len(AREAS)],
    }
    return row, [
        {"signal_id": number, "at": moment, "actor": who, "action": action, "detail": detail}
        for moment, action, detail, who in events
    ]


async def load(engine: AsyncEngine, signals: int, seed: int = 9) -> int:
    """Insert ``signals`` signals with their events; returns the number of events."""
    rng = random.Random(seed)
    # Ids grow with creation time, as in production (the sweep's and the figures' reads on
    # SQLite follow the id order, so random creation times per id would misrepresent them).
    created = sorted(
        NOW - timedelta(minutes=rng.randrange(0, YEAR_MINUTES)) for _ in range(signals)
    )
    events = 0
    async with engine.begin() as connection:
        await connection.execute(
            insert(Staff),
            [
                {"id": n, "display_name": f"Medewerker {n}", "role": "loket", "created_at": NOW}
                for n in range(1, STAFF + 1)
            ],
        )
        for start in range(1, signals + 1, CHUNK):
            rows, event_rows = [], []
            for number in range(start, min(signals, start + CHUNK - 1) + 1):
                row, its_events = _signal(number, created[number - 1], rng)
                rows.append(row)
                event_rows.extend(its_events)
            await connection.execute(insert(Signal), rows)
            await connection.execute(insert(SignalEvent), event_rows)
            events += len(event_rows)
    return events
