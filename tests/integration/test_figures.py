"""The monitoring figures on SQLite and PostgreSQL, compared with counts computed here from
the raw rows (plain SQL over ``store.engine``, Amsterdam dates by ``astimezone``, deadlines by
``WorkingHours.add_days``, percentiles by ``statistics``), never by the code under test."""

from __future__ import annotations

import json
import random
import statistics
from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from fractions import Fraction
from typing import Any
from zoneinfo import ZoneInfo

import holidays
from sqlalchemy import text

from core.followup.rules import FollowUpRules
from core.followup.workdays import WorkingHours
from core.lifecycle.parties import StaffMember
from core.monitoring.figures import Figures
from core.monitoring.period import Period
from storage import Store
from tests.support.builders import make_draft

AMS = ZoneInfo("Europe/Amsterdam")
HOURS = WorkingHours(holidays=holidays.country_holidays("NL"))
RULES = FollowUpRules()
# 20 October 2025 to 5 April 2026: both clock changes (26 October, 29 March) and New Year.
PERIOD = Period(date(2025, 10, 20), date(2026, 4, 5))
NOW = datetime(2026, 4, 6, 10, tzinfo=UTC)
US = timedelta(microseconds=1)

ROLES = ("shop", "neighbour", "family", "professional", "other", None)
PARTNERS = ("jumbo-terneuzen", "apotheek-axel", None)
CHANNELS = ("telegram", "whatsapp", "web", "phone", "console")
AREAS = ("terneuzen", "axel", "zaamslag")
AGES = ("under_25", "25_64", "65_74", "75_plus", "unknown", None)
OBSERVATIONS = ("often_alone", "says_lonely", "recent_loss", "not_seen", "other")
HELP = ("someone_to_talk", "activities", "practical", "grief", "unknown")
OUTCOMES = ("help_started", "buddy", "welfare", "known", "no_help_wanted", "not_reached")


def local(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=AMS).astimezone(UTC)


# Creation moments at the edges: the period's first and last moment and just outside it,
# the hours around both clock changes, and the week boundary at New Year (ISO 2026-W01
# starts on Monday 29 December 2025).
EDGES = (
    local(2025, 10, 20) - US,
    local(2025, 10, 20),
    local(2025, 10, 26, 1, 59),
    local(2025, 10, 26, 3, 1),
    datetime(2025, 10, 26, 0, 30, tzinfo=UTC),  # 02:30 CEST, the first of the two 02:30s
    datetime(2025, 10, 26, 1, 30, tzinfo=UTC),  # 02:30 CET, the second
    local(2025, 12, 28, 23, 59),
    local(2025, 12, 29),
    local(2025, 12, 31, 23, 59),
    local(2026, 1, 1, 0, 1),
    local(2026, 3, 29, 1, 59),
    local(2026, 3, 29, 3),
    local(2026, 3, 29, 23, 30),
    local(2026, 4, 5, 23, 59) + timedelta(seconds=59, microseconds=999_999),
    local(2026, 4, 6),
)


@dataclass
class Plan:
    """What to store for one signal: its fields and its events (action, at, detail)."""

    created: datetime
    draft: Any
    channel: str
    events: list[tuple[str, datetime, str | None]]
    status: str
    outcome: str | None


STATUS_AFTER = {
    "claim": "claimed",
    "release": "new",
    "contact": "in_contact",
    "close": "closed",
    "cannot_follow_up": "cannot_follow_up",
    "reopen": "reopened",
}


def _lifecycle(rnd: random.Random, created: datetime) -> tuple[list[Any], str, str | None]:
    """A random but possible history: claims (sometimes released and claimed again),
    contacts, closing, cannot-follow-up and reopening; cut off at NOW."""
    steps: list[tuple[str, timedelta, str | None]] = []
    if rnd.random() < 0.3:
        steps.append(("claim_reminder", timedelta(hours=rnd.uniform(8, 40)), None))
    if rnd.random() < 0.85:
        steps.append(("claim", timedelta(minutes=rnd.randrange(1, 60 * 60)), None))
        if rnd.random() < 0.2:  # released, and picked up again by someone else
            steps.append(("release", timedelta(hours=rnd.uniform(1, 20)), None))
            steps.append(("claim", timedelta(hours=rnd.uniform(1, 20)), None))
        if rnd.random() < 0.1:
            steps.append(("cannot_follow_up", timedelta(hours=rnd.uniform(1, 50)), None))
        elif rnd.random() < 0.8:
            steps.append(("contact", timedelta(minutes=rnd.randrange(1, 100 * 60)), None))
            if rnd.random() < 0.15:  # a second contact does not count
                steps.append(("contact", timedelta(hours=rnd.uniform(1, 30)), None))
            if rnd.random() < 0.7:
                outcome = rnd.choice((*OUTCOMES, None))
                steps.append(("close", timedelta(days=rnd.uniform(1, 20)), outcome))
                if rnd.random() < 0.15:
                    steps.append(("reopen", timedelta(days=rnd.uniform(1, 5)), None))
    events: list[tuple[str, datetime, str | None]] = []
    at, status, outcome = created, "new", None
    for action, delay, detail in steps:
        at += delay
        if at > NOW:
            break
        events.append((action, at, detail))
        status = STATUS_AFTER.get(action, status)
        outcome = detail if action == "close" else outcome  # a reopened one keeps it
    return events, status, outcome


def plans(seed: int = 6) -> list[Plan]:
    rnd = random.Random(seed)
    span = (local(2026, 4, 12) - local(2025, 10, 13)).total_seconds()
    moments = [local(2025, 10, 13) + timedelta(seconds=rnd.uniform(0, span)) for _ in range(170)]
    found = []
    for created in [*EDGES, *moments]:
        kind = "self" if rnd.random() < 0.25 else "other"
        place = rnd.random()
        area = rnd.choice(AREAS) if place < 0.6 else None
        postcode = rnd.choice(("4531AB", "4536CD", "4536EF")) if 0.6 <= place < 0.9 else None
        if kind == "self":
            codes: dict[str, str | None] = {"danger": "no"}
            multi = {"help_wanted": tuple(rnd.sample(HELP, rnd.randrange(0, 3)))}
        else:
            codes = {"danger": "no", "role": rnd.choice(ROLES), "age_group": rnd.choice(AGES)}
            multi = {"observations": tuple(rnd.sample(OBSERVATIONS, rnd.randrange(0, 4)))}
        draft = make_draft(
            kind=kind,
            urgent=rnd.random() < 0.15,
            submitted_at=created,
            codes=codes,
            multi=multi,
            area=area,
            postcode=postcode,
            partner=rnd.choice(PARTNERS),
        )
        events, status, outcome = _lifecycle(rnd, created)
        found.append(Plan(created, draft, rnd.choice(CHANNELS), events, status, outcome))
    return found


async def seed(store: Store, planned: list[Plan]) -> None:
    async with store.unit_of_work() as uow:
        for plan in planned:
            stored = await uow.signals.add(
                plan.draft, reporter_id=None, channel=plan.channel, now=plan.created
            )
            for action, at, detail in plan.events:
                await uow.signals.add_event(
                    stored.id, at=at, actor=StaffMember(1), action=action, detail=detail
                )
            last = plan.events[-1][1] if plan.events else plan.created
            await uow.signals.transition(
                stored.id,
                sources=frozenset({"new"}),
                target=plan.status,
                assignee_id=None,
                claimed_at=None,
                at=last,
                outcome=plan.outcome,
            )
        await uow.commit()


async def figures_of(store: Store, period: Period, now: datetime = NOW) -> Figures:
    """As the monitoring page reads them: the times beside the counts (``figure_rows``);
    the same rows as one unit of work's ``rows``."""
    rows = await store.figure_rows(period, now=now, hours=HOURS, rules=RULES)
    async with store.unit_of_work() as uow:
        assert rows == await uow.figures.rows(period, now=now, hours=HOURS, rules=RULES)
    return rows.figures(period)


# -- the independent side ------------------------------------------------------------------


def _moment(value: Any) -> datetime:
    found = datetime.fromisoformat(value) if isinstance(value, str) else value
    assert isinstance(found, datetime)  # SQLite: text without an offset, in UTC
    return found.replace(tzinfo=UTC) if found.tzinfo is None else found.astimezone(UTC)


def _list(value: Any) -> list[str]:
    return list(json.loads(value) if isinstance(value, str) else value or [])


async def raw_signals(store: Store, period: Period) -> list[dict[str, Any]]:
    """The signals created on the period's Amsterdam days, with their events."""
    async with store.engine.connect() as connection:
        signals = (await connection.execute(text("SELECT * FROM signals"))).mappings().all()
        events = (
            await connection.execute(text("SELECT signal_id, action, at FROM signal_events"))
        ).all()
    by_signal: dict[int, list[tuple[str, datetime]]] = defaultdict(list)
    for signal_id, action, at in events:
        by_signal[signal_id].append((action, _moment(at)))
    found = []
    for row in signals:
        created = _moment(row["created_at"])
        if not period.first <= created.astimezone(AMS).date() <= period.last:
            continue
        item = dict(row)
        item["created"] = created
        item["events"] = sorted(by_signal[row["id"]], key=lambda e: e[1])
        found.append(item)
    return found


def _week(at: datetime) -> str:
    year, week, _ = at.astimezone(AMS).isocalendar()
    return f"{year}-W{week:02d}"


def _first(signal: dict[str, Any], action: str) -> datetime | None:
    return next((at for name, at in signal["events"] if name == action), None)


def expected_timing(signals: list[dict[str, Any]], action: str) -> dict[str, Any]:
    within = late = missed = pending = 0
    hours: list[Fraction] = []
    for signal in signals:
        created, claimed = signal["created"], _first(signal, "claim")
        if action == "claim":
            urgent = bool(signal["urgent"])
            deadline = created + timedelta(hours=2) if urgent else HOURS.add_days(created, 1)
        elif claimed is None:
            continue
        else:
            deadline = HOURS.add_days(claimed, 3)
        happened = _first(signal, action)
        if happened is not None:
            hours.append(Fraction((happened - created) // US, 3600 * 10**6))
        if happened is not None and happened < deadline:
            within += 1
        elif happened is not None:
            late += 1
        elif deadline > NOW:
            pending += 1
        else:
            missed += 1
    return {
        "counts": (len(hours), within, late, missed, pending),
        "median": statistics.median(hours),
        "p90": statistics.quantiles(hours, n=10, method="inclusive")[8],
    }


# -- the tests -----------------------------------------------------------------------------


async def test_every_figure_matches_the_rows(store: Store) -> None:
    await seed(store, plans())
    figures = await figures_of(store, PERIOD)
    signals = await raw_signals(store, PERIOD)
    assert len(signals) > 150  # the edges outside the period are not among them
    assert figures.total == len(signals)

    weeks = [w.key for w in figures.by_role.weeks]
    assert (weeks[0], weeks[-1], len(weeks)) == ("2025-W43", "2026-W14", 24)
    assert "2026-W01" in weeks
    assert "2025-W53" not in weeks

    def weekly(category: Any) -> dict[str, tuple[int, ...]]:
        counted = Counter((_week(s["created"]), category(s)) for s in signals)
        return {c: tuple(counted[(w, c)] for w in weeks) for c in {c for _, c in counted}}

    def role(s: dict[str, Any]) -> str:
        return "(self)" if s["kind"] == "self" else s["role"] or "(unknown)"

    assert figures.by_role.counts == weekly(role)
    assert figures.by_partner.counts == weekly(lambda s: s["partner"] or "(none)")
    assert figures.by_channel.counts == weekly(lambda s: s["channel"])

    def place(s: dict[str, Any]) -> str:
        if s["area"]:
            return str(s["area"])
        return f"postcode:{s['postcode4']}" if s["postcode4"] else "(unknown)"

    assert figures.by_area == Counter(place(s) for s in signals)
    assert figures.by_age_group == Counter(
        "(self)" if s["kind"] == "self" else s["age_group"] or "(unknown)" for s in signals
    )
    observed: Counter[str] = Counter()
    helped: Counter[str] = Counter()
    for s in signals:
        if s["kind"] == "self":
            helped.update(set(_list(s["help_wanted"])) or {"(none)"})
        else:
            observed.update(set(_list(s["observations"])) or {"(none)"})
    assert figures.by_observation == observed
    assert figures.by_help_wanted == helped

    finished = [s for s in signals if s["status"] in ("closed", "cannot_follow_up")]
    assert figures.outcomes == Counter(
        s["status"] if s["status"] == "cannot_follow_up" else s["outcome"] or "(unknown)"
        for s in finished
    )
    assert figures.open_by_status == Counter(s["status"] for s in signals if s not in finished)
    assert figures.still_open + sum(figures.outcomes.values()) == figures.total

    for timing, action in ((figures.claim, "claim"), (figures.contact, "contact")):
        expected = expected_timing(signals, action)
        counts = (timing.measured, timing.within, timing.late, timing.missed, timing.pending)
        assert counts == expected["counts"], action
        assert (timing.median, timing.p90) == (expected["median"], expected["p90"]), action
        assert all(n > 0 for n in counts[:4]), f"the seed should give every case ({action})"


async def test_the_shapes_are_all_there(store: Store) -> None:
    """The seed holds the cases the first test is meant to cover."""
    planned = plans()
    actions = Counter(action for p in planned for action, _, _ in p.events)
    assert min(actions["release"], actions["reopen"], actions["claim_reminder"]) > 0
    statuses = Counter(p.status for p in planned)
    assert set(statuses) == {
        "new",
        "claimed",
        "in_contact",
        "closed",
        "cannot_follow_up",
        "reopened",
    }
    await seed(store, planned)
    figures = await figures_of(store, PERIOD)
    assert {"(self)", "(unknown)"} <= set(figures.by_role.counts)
    assert {"postcode:4531", "postcode:4536", "(unknown)"} <= set(figures.by_area)
    assert set(CHANNELS) == set(figures.by_channel.counts)


async def test_a_period_of_one_day_across_the_autumn_clock_change(store: Store) -> None:
    await seed(store, plans())
    day = Period(date(2025, 10, 26), date(2025, 10, 26))
    figures = await figures_of(store, day)
    # 26 October has 25 hours: 00:00 CEST (22:00 UTC the day before) to 00:00 CET (23:00 UTC).
    async with store.engine.connect() as connection:
        rows = (await connection.execute(text("SELECT created_at FROM signals"))).scalars().all()
    start, end = datetime(2025, 10, 25, 22, tzinfo=UTC), datetime(2025, 10, 26, 23, tzinfo=UTC)
    expected = sum(1 for r in rows if start <= _moment(r) < end)
    assert expected >= 4  # the four edge moments of that day
    assert figures.total == expected
    assert [w.key for w in figures.by_channel.weeks] == ["2025-W43"]
    assert sum(figures.by_channel.week_totals()) == expected


async def test_a_period_without_signals(store: Store) -> None:
    await seed(store, plans()[:20])
    figures = await figures_of(store, Period(date(2024, 1, 1), date(2024, 1, 28)))
    assert figures.total == 0
    assert figures.by_role.counts == {}
    assert figures.by_role.week_totals() == (0, 0, 0, 0)
    assert figures.outcomes == {}
    assert (figures.claim.measured, figures.claim.median, figures.claim.share_within) == (
        0,
        None,
        None,
    )
