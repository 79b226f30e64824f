"""The dashboard's list of signals: each filter, the count and the pages, on SQLite and
PostgreSQL, compared with the rows as stored."""

from __future__ import annotations

import itertools
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import update

from storage import Store
from storage.listing import SignalFilter
from storage.models import Signal
from tests.support.builders import NOW, make_draft

AREAS = ("axel", "hoek", None)
PARTNERS = ("jumbo", None)
STATUSES = ("new", "claimed", "closed")
CHANNELS = ("telegram", "web", "phone")


@dataclass(frozen=True)
class Given:
    id: int
    reference: str
    area: str | None
    partner: str | None
    status: str
    urgent: bool
    channel: str
    postcode4: str | None
    at: datetime


async def seed(store: Store) -> list[Given]:
    """24 signals with every combination; returns what each was given."""
    given = []
    async with store.unit_of_work() as uow:
        combos = itertools.product(AREAS, PARTNERS, STATUSES, (True, False))
        for number, (area, partner, status, urgent) in enumerate(combos):
            if number >= 24:
                break
            at = NOW + timedelta(minutes=number)
            draft = make_draft(
                area=area,
                partner=partner,
                urgent=urgent,
                postcode="4536AB" if area is None else None,
                submitted_at=at,
            )
            channel = CHANNELS[number % 3]
            stored = await uow.signals.add(draft, reporter_id=None, channel=channel, now=at)
            await uow.session.execute(
                update(Signal).where(Signal.id == stored.id).values(status=status)
            )
            given.append(
                Given(
                    stored.id,
                    stored.reference,
                    area,
                    partner,
                    status,
                    urgent,
                    channel,
                    "4536" if area is None else None,
                    at,
                )
            )
        await uow.commit()
    return given


async def test_every_filter_finds_exactly_the_matching_signals(store: Store) -> None:
    given = await seed(store)
    cases: list[tuple[SignalFilter, Callable[[Given], bool]]] = [
        (SignalFilter(), lambda g: True),
        (SignalFilter(status="open"), lambda g: g.status in {"new", "claimed"}),
        (SignalFilter(status="finished"), lambda g: g.status == "closed"),
        (SignalFilter(status="claimed"), lambda g: g.status == "claimed"),
        (SignalFilter(urgent=True), lambda g: g.urgent),
        (SignalFilter(urgent=False), lambda g: not g.urgent),
        (SignalFilter(area="axel"), lambda g: g.area == "axel"),
        (SignalFilter(postcode4="4536"), lambda g: g.postcode4 == "4536"),
        (SignalFilter(partner="jumbo"), lambda g: g.partner == "jumbo"),
        (SignalFilter(channel="phone"), lambda g: g.channel == "phone"),
        (
            SignalFilter(status="open", urgent=True, area="hoek"),
            lambda g: g.status != "closed" and g.urgent and g.area == "hoek",
        ),
        (SignalFilter(ids={given[0].id, given[5].id}), lambda g: g in (given[0], given[5])),
        (SignalFilter(ids=set()), lambda g: False),
    ]
    async with store.unit_of_work() as uow:
        for wanted, matches in cases:
            rows, total = await uow.listing.page(wanted, limit=100)
            expected = [g for g in reversed(given) if matches(g)]
            assert [r.reference for r in rows] == [g.reference for g in expected], wanted
            assert total == len(expected)


async def test_pages_cover_every_signal_once_newest_first(store: Store) -> None:
    given = await seed(store)
    seen = []
    async with store.unit_of_work() as uow:
        for offset in range(0, 30, 7):
            rows, total = await uow.listing.page(SignalFilter(), offset=offset, limit=7)
            assert total == len(given)
            seen += [r.reference for r in rows]
    assert seen == [g.reference for g in reversed(given)]


async def test_the_list_shows_who_picked_it_up_and_no_personal_field(store: Store) -> None:
    await seed(store)
    async with store.unit_of_work() as uow:
        rows, _ = await uow.listing.page(SignalFilter(), limit=1)
    fields = set(rows[0].__dataclass_fields__)
    assert not fields & {"person_contact", "note", "reporter_name", "reporter_phone", "postcode"}
    assert rows[0].assignee_name is None
