"""The time to pick up and to first contact of a period's signals, counted in SQL.

Per signal the figures need the first pick-up and first contact (kept on the row,
``Signal.first_claimed_at``/``first_contacted_at``), its working-day deadlines and the
exact percentiles of the durations. A year holds 100,000 signals, and moving one row per
signal to Python cost more than the page's whole budget, so the database does it, in one
statement:

- Moments become integer microseconds since 1970 (exact on both databases).
- The deadline of a start depends only on its local day and where in that day it falls
  (``DeadlineCalculator.day``): one row per day of the period (and of the pick-ups after
  it), computed in ``days`` and handed over as one JSON parameter, joined by the local day
  number (the UTC offset is constant between the few clock changes: a short ``CASE``).
- Each signal gets a class per measure (within, late, missed, pending); one ``GROUP BY``
  counts them. A deadline the day table cannot give (a clock change within the open
  hours; a pick-up after the days covered) is class ``x``: those few signals are read and
  counted here with ``DeadlineCalculator.add_days``, exactly as before.
- Percentiles (type 7, exact): the database sorts the durations and returns only the
  values at the ranks needed (``core.monitoring.timing.percentile_ranks``).

Subqueries carry ``OFFSET 0`` so that neither database merges them into the next one and
computes their expressions again wherever they are used.
"""

from __future__ import annotations

import sqlite3
from collections import Counter
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    ColumnElement,
    Integer,
    String,
    cast,
    func,
    literal,
    literal_column,
    null,
    or_,
    select,
    type_coerce,
    union_all,
)
from sqlalchemy.ext.asyncio import AsyncSession

from core.followup.rules import FollowUpRules
from core.followup.workdays import WorkingHours
from core.monitoring.period import Period
from core.monitoring.timing import LATE, MISSED, PENDING, WITHIN, Timing, classify, ranked_timing
from storage.models import Signal

from .days import CLOSED, NORMAL, US, Days, days_table, micros

# The classes as SQL gives them; "x": not decided in SQL.
CODES = {"w": WITHIN, "l": LATE, "m": MISSED, "p": PENDING}
UNDECIDED = "x"
UNIXEPOCH = sqlite3.sqlite_version_info >= (3, 38)
PG_BASE = "2000-01-01 00:00:00+00"
PG_BASE_US = micros(datetime(2000, 1, 1, tzinfo=UTC))


def _micros_sql(dialect: str, column: Any) -> ColumnElement[int]:
    """A ``UTCDateTime`` column as integer microseconds since 1970, exactly (no float)."""
    if dialect == "sqlite":  # stored as "2026-01-05 09:30:00.123456", UTC
        raw = type_coerce(column, String)
        # The fraction cut off first: SQLite's date functions round it to milliseconds.
        whole = func.substr(raw, 1, 19)
        # unixepoch (SQLite 3.38) is twice as fast as formatting and parsing "%s".
        seconds = func.unixepoch(whole) if UNIXEPOCH else cast(func.strftime("%s", whole), Integer)
        return seconds * 1_000_000 + cast(func.substr(raw, 21, 6), Integer)
    # Seconds since 2000 as a double, exact to far below a microsecond until about 2070
    # (twice as fast as the numeric EXTRACT), then rounded: exact microseconds.
    since = func.date_part("epoch", column - literal_column(f"TIMESTAMPTZ '{PG_BASE}'"))
    return cast(func.round(since * 1_000_000), BigInteger) + PG_BASE_US


def _deadline(start: str, day: str, n: str) -> str:
    """SQL: the deadline of ``start`` from its day's row (NULL: not given by the table)."""
    return (
        f"CASE WHEN {day}.kind{n} = {CLOSED} THEN {day}.after{n}"
        f" WHEN {day}.kind{n} = {NORMAL} THEN CASE WHEN {start} <= {day}.opens{n}"
        f" THEN {day}.before{n} WHEN {start} < {day}.closes{n} THEN {start} + {day}.shift{n}"
        f" ELSE {day}.after{n} END END"
    )


def _class(event: str, deadline: str, now: int) -> str:
    return (
        f"CASE WHEN {deadline} IS NULL THEN '{UNDECIDED}' WHEN {event} IS NULL THEN"
        f" CASE WHEN {now} < {deadline} THEN 'p' ELSE 'm' END"
        f" WHEN {event} < {deadline} THEN 'w' ELSE 'l' END"
    )


def _classed(
    dialect: str,
    in_period: ColumnElement[bool],
    days: Days,
    now: datetime,
    rules: FollowUpRules,
    *raw: Any,
) -> Any:
    """Per signal: its classes ``kc`` (pick-up) and ``mc`` (first contact, NULL when not
    picked up), durations ``dk`` and ``dm`` (µs, NULL when it did not happen), and
    ``raw`` (columns of ``Signal``, for the few undecided)."""
    moments = (
        select(
            _micros_sql(dialect, Signal.created_at).label("c"),
            Signal.urgent.label("u"),
            _micros_sql(dialect, Signal.first_claimed_at).label("k"),
            _micros_sql(dialect, Signal.first_contacted_at).label("m"),
            *raw,
        )
        .where(in_period)
        .offset(0)
        .subquery("t")
    )
    numbered = (
        select(
            moments,
            literal_column(days.number("c"), BigInteger).label("cd"),
            literal_column(days.number("k"), BigInteger).label("kd"),
        )
        .offset(0)
        .subquery("n")
    )
    table = days_table(dialect, days.rows())
    on_created, on_claimed = table.alias("day_c"), table.alias("day_k")
    urgent = rules.urgent_claim // US
    deadlines = (
        select(
            numbered,
            literal_column(
                f"CASE WHEN u THEN c + {urgent} ELSE {_deadline('c', 'day_c', '1')} END", BigInteger
            ).label("cdl"),
            literal_column(
                f"CASE WHEN k IS NOT NULL THEN {_deadline('k', 'day_k', '2')} END", BigInteger
            ).label("kdl"),
        )
        .select_from(
            numbered.outerjoin(on_created, on_created.c.d == numbered.c.cd).outerjoin(
                on_claimed, on_claimed.c.d == numbered.c.kd
            )
        )
        .offset(0)
        .subquery("l")
    )
    at = micros(now)
    return select(
        literal_column(_class("k", "cdl", at), String).label("kc"),
        literal_column(f"CASE WHEN k IS NOT NULL THEN {_class('m', 'kdl', at)} END", String).label(
            "mc"
        ),
        (deadlines.c.k - deadlines.c.c).label("dk"),
        literal_column("CASE WHEN k IS NOT NULL THEN m - c END", BigInteger).label("dm"),
        *(deadlines.c[name.key] for name in raw),
    ).select_from(deadlines)


async def timings(
    session: AsyncSession,
    dialect: str,
    period: Period,
    in_period: ColumnElement[bool],
    *,
    now: datetime,
    hours: WorkingHours,
    rules: FollowUpRules,
) -> tuple[Timing, Timing]:
    """The time to pick up and to first contact of the signals ``in_period``, as
    ``core.monitoring.timing.timings`` computes them from one row per signal."""
    days = Days(period, now, hours, rules)
    # Used three times below: both databases compute it once (a materialised CTE).
    classed = _classed(dialect, in_period, days, now, rules).cte("classed")
    x = classed.c
    none = cast(null(), BigInteger)
    query = union_all(
        select(x.kc, x.mc, func.count(), none, none).group_by(x.kc, x.mc),
        _at_ranks("dk", x.dk),
        _at_ranks("dm", x.dm),
    )
    claim: Counter[str] = Counter()
    contact: Counter[str] = Counter()
    values: dict[str, dict[int, int]] = {"dk": {}, "dm": {}}
    undecided = False
    for claim_class, contact_class, count, rank, value in (await session.execute(query)).all():
        if rank is not None:
            values[claim_class][int(rank) - 1] = int(value)
            continue
        undecided |= UNDECIDED in (claim_class, contact_class)
        if claim_class in CODES:
            claim[CODES[claim_class]] += count
        if contact_class in CODES:
            contact[CODES[contact_class]] += count
    if undecided:
        await _decide(session, dialect, in_period, days, claim, contact, now, rules)
    return ranked_timing(claim, values["dk"]), ranked_timing(contact, values["dm"])


async def _decide(
    session: AsyncSession,
    dialect: str,
    in_period: ColumnElement[bool],
    days: Days,
    claim: Counter[str],
    contact: Counter[str],
    now: datetime,
    rules: FollowUpRules,
) -> None:
    """Count the signals whose class SQL left undecided, one by one (rare: see above)."""
    raw = (Signal.created_at, Signal.urgent, Signal.first_claimed_at, Signal.first_contacted_at)
    classed = _classed(dialect, in_period, days, now, rules, *raw).subquery("classed")
    query = select(
        classed.c.kc,
        classed.c.mc,
        *(classed.c[name.key] for name in raw),
    ).where(or_(classed.c.kc == UNDECIDED, classed.c.mc == UNDECIDED))
    for claim_class, contact_class, created, urgent, claimed, contacted in (
        await session.execute(query)
    ).all():
        if claim_class == UNDECIDED:
            deadline = created + rules.urgent_claim if urgent else days.claim.add_days(created)
            claim[classify(claimed, deadline, now)] += 1
        if contact_class == UNDECIDED and claimed is not None:
            contact[classify(contacted, days.contact.add_days(claimed), now)] += 1


def _at_ranks(name: str, duration: Any) -> Any:
    """(name, NULL, NULL, rank, duration) at the ranks (1-based) that the median and the
    90th percentile of the non-NULL durations need: ``percentile_ranks``, in SQL."""
    ordered = (
        select(duration.label("d"), func.row_number().over(order_by=duration).label("r"))
        .where(duration.is_not(None))
        .subquery()
    )
    # A scalar count, not count() OVER (): that window buffers every row once more.
    n = select(func.count(duration)).scalar_subquery()
    d, r = ordered.c.d, ordered.c.r
    # floor((n - 1) * p) + 1 and the one after it, for p = 1/2 and 9/10 (``//``: the
    # databases' integer division, the floor here as n >= 1).
    median, p90 = (n - 1) // 2 + 1, (n - 1) * 9 // 10 + 1
    wanted = or_(r == median, r == median + 1, r == p90, r == p90 + 1)
    label = cast(literal(name), String)
    return select(label, cast(null(), String), cast(null(), BigInteger), r, d).where(wanted)
