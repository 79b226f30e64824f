"""The loket's workplace in storage, on SQLite and PostgreSQL (issue 22): signals found by
a phone number or postcode through keyed hashes that are erased with the values; internal
notes encrypted and erased with the other free text; taking a signal over; partners
changed and deactivated; the postcode table in the list and the figures."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.followup.retention import RetentionService
from bot.settings import RetentionPeriods
from bot.staff.actions import NOTE, SignalActions
from core.dialog.areas import parse_area_table
from core.dialog.model import Place
from core.followup.rules import FollowUpRules
from core.followup.workdays import WorkingHours
from core.lifecycle.parties import StaffMember
from core.lifecycle.search import parse_search
from core.monitoring.period import Period
from core.text.render import AMSTERDAM
from storage import Store
from storage.listing import SignalFilter
from storage.models import SearchKey
from storage.uow import UnitOfWork
from tests.support.builders import NOW, make_draft
from tests.support.keys import TEST_KEYRING
from tests.support.migrations import migrate_to

DAY = timedelta(days=1)
PLACES = (Place("terneuzen-centrum", "Terneuzen-Centrum"), Place("axel", "Axel"))


async def found(uow: UnitOfWork, typed: str) -> list[str]:
    rows, _ = await uow.listing.page(SignalFilter(search=parse_search(typed)))
    return [row.reference for row in rows]


async def stored(store: Store, **changes: object) -> tuple[int, str]:
    async with store.unit_of_work() as uow:
        reporter = await uow.reporters.get_or_create("telegram", "555", language="ar", now=NOW)
        draft = make_draft(**changes)
        signal = await uow.signals.add(draft, reporter_id=reporter.id, channel="telegram", now=NOW)
        await uow.commit()
    return signal.id, signal.reference


async def test_a_signal_is_found_by_phone_or_postcode_without_decrypting(store: Store) -> None:
    _, reference = await stored(
        store,
        reporter_phone="+31612345678",
        person_contact="Mw. Jansen, 0115-123456",
        postcode="4531 AB",
    )
    await stored(store, reporter_phone=None, person_contact=None, postcode="4571")
    async with store.unit_of_work() as uow:
        for typed in ("06 12345678", "0115 123456", "4531ab", "4531", reference.lower()):
            assert await found(uow, typed) == [reference], typed
        assert await found(uow, "0612345679") == []
        keys = (await uow.session.execute(select(SearchKey.key))).scalars().all()
    # Only keyed hashes are stored: not a number, not a postcode.
    assert len(keys) == 3  # the reporter's phone, the person's phone, the full postcode
    assert all("612345678" not in k and "4531" not in k for k in keys)
    assert TEST_KEYRING.index("search:phone:+31612345678") in keys


async def test_search_keys_go_with_the_values_they_find(store: Store) -> None:
    signal_id, reference = await stored(
        store, reporter_phone="+31612345678", person_contact="0115 123456", postcode="4531 AB"
    )
    async with store.unit_of_work() as uow:
        await uow.signals.transition(
            signal_id,
            sources=frozenset({"new"}),
            target="closed",
            assignee_id=None,
            claimed_at=None,
            at=NOW,
            outcome="known",
        )
        await uow.commit()
    retention = RetentionService(store, RetentionPeriods(), AMSTERDAM)
    await retention.erase(NOW + 31 * DAY)  # the reporter's details: their phone's key too
    async with store.unit_of_work() as uow:
        assert await found(uow, "0612345678") == []
        assert await found(uow, "0115123456") == [reference]
    await retention.erase(NOW + 366 * DAY)  # the person's details, the postcode's key too
    async with store.unit_of_work() as uow:
        assert await found(uow, "0115123456") == []
        assert await found(uow, "4531 AB") == []
        assert await found(uow, "4531") == [reference]  # the four digits stay, in the clear
        assert (await uow.session.execute(select(SearchKey))).all() == []


async def test_a_reporter_who_erases_themselves_takes_their_phone_key_along(store: Store) -> None:
    signal_id, _ = await stored(store, reporter_phone="+31612345678", person_contact=None)
    async with store.unit_of_work() as uow:
        signal = await uow.signals.get(signal_id)
        assert signal is not None
        assert signal.reporter_id is not None
        await uow.erasure.erase_reporter(signal.reporter_id, NOW)
        await uow.commit()
    async with store.unit_of_work() as uow:
        assert await found(uow, "06 12345678") == []


async def staff(store: Store, name: str, role: str) -> int:
    async with store.unit_of_work() as uow:
        record = await uow.logins.add_account(
            name, display_name=name.title(), role=role, password_hash="x", now=NOW
        )
        await uow.commit()
    assert record is not None
    return record.id


async def test_a_note_is_encrypted_audited_and_erased_with_the_free_text(store: Store) -> None:
    signal_id, reference = await stored(store)
    anna = await staff(store, "anna", "loket")
    bram = await staff(store, "bram", "regisseur")
    actions = SignalActions(store)
    refused = await actions.note(reference, "Belde, geen gehoor", actor=StaffMember(anna), now=NOW)
    assert refused is not None
    assert not refused.done  # not hers: a loket worker who did not pick it up
    await actions.act("claim", signal_id, actor=StaffMember(anna), now=NOW)
    written = await actions.note(
        reference, "Belde, geen gehoor.\nMorgen weer.", actor=StaffMember(anna), now=NOW
    )
    assert written is not None
    assert written.done
    assert (
        await actions.note(reference, "Ook gezien", actor=StaffMember(bram), now=NOW)
    ) is not None
    async with store.unit_of_work() as uow:
        notes = [e.note for e in await uow.signals.events(signal_id) if e.action == NOTE]
        assert notes == ["Belde, geen gehoor.\nMorgen weer.", "Ook gezien"]
        audited = [(a, o) for a, act, o in await uow.audit.entries(signal_id) if act == NOTE]
        assert audited == [
            (f"staff:{anna}", "refused:not_allowed"),
            (f"staff:{anna}", "ok"),
            (f"staff:{bram}", "ok"),
        ]
        raw = (
            await uow.session.execute(text("SELECT note FROM signal_events WHERE action = 'note'"))
        ).scalars()
        assert all("Belde" not in value for value in raw)  # encrypted at rest
        await uow.signals.transition(
            signal_id,
            sources=frozenset({"claimed"}),
            target="closed",
            assignee_id=anna,
            claimed_at=NOW,
            at=NOW,
            outcome="known",
        )
        await uow.commit()
    await RetentionService(store, RetentionPeriods(), AMSTERDAM).erase(NOW + 366 * DAY)
    async with store.unit_of_work() as uow:
        notes = [e.note for e in await uow.signals.events(signal_id) if e.action == NOTE]
    assert notes == [None, None]


async def test_taking_over_changes_who_has_it_not_the_status_or_its_deadline(
    store: Store,
) -> None:
    signal_id, _ = await stored(store)
    anna = await staff(store, "anna", "loket")
    carla = await staff(store, "carla", "loket")
    actions = SignalActions(store)
    await actions.act("claim", signal_id, actor=StaffMember(anna), now=NOW)
    mine = await actions.act(
        "take_over", signal_id, actor=StaffMember(anna), now=NOW, option="absent"
    )
    assert mine is not None
    assert not mine.done  # she has it already
    no_reason = await actions.act("take_over", signal_id, actor=StaffMember(carla), now=NOW)
    assert no_reason is not None
    assert no_reason.options  # a reason is asked first
    later = NOW + timedelta(hours=3)
    taken = await actions.act(
        "take_over", signal_id, actor=StaffMember(carla), now=later, option="absent"
    )
    assert taken is not None
    assert taken.done
    async with store.unit_of_work() as uow:
        signal = await uow.signals.get(signal_id)
        assert signal is not None
        assert (signal.status, signal.assignee_id, signal.status_at) == ("claimed", carla, NOW)
        events = [(e.actor, e.action, e.detail) for e in await uow.signals.events(signal_id)]
        assert events[-1] == (f"staff:{carla}", "take_over", "absent")
        assert (f"staff:{carla}", "take_over", "ok") in await uow.audit.entries(signal_id)


async def test_cannot_be_followed_up_needs_a_reason(store: Store) -> None:
    signal_id, _ = await stored(store)
    anna = await staff(store, "anna", "loket")
    actions = SignalActions(store)
    await actions.act("claim", signal_id, actor=StaffMember(anna), now=NOW)
    asked = await actions.act("cannot_follow_up", signal_id, actor=StaffMember(anna), now=NOW)
    assert asked is not None
    assert asked.options
    assert not asked.done
    done = await actions.act(
        "cannot_follow_up", signal_id, actor=StaffMember(anna), now=NOW, option="elsewhere"
    )
    assert done is not None
    assert done.status == "cannot_follow_up"


async def test_a_deactivated_partner_keeps_its_signals_and_is_no_longer_offered(
    store: Store,
) -> None:
    async with store.unit_of_work() as uow:
        await uow.partners.add("jumbo", "Jumbo", NOW, role="shop")
        await uow.commit()
    await stored(store, partner="jumbo")
    async with store.unit_of_work() as uow:
        assert await uow.partners.change(
            "jumbo", name="Jumbo Axel", role="shop", area="axel", postcode=None
        )
        assert await uow.partners.set_active("jumbo", False, NOW)
        await uow.commit()
    async with store.unit_of_work() as uow:
        assert await uow.partners.by_code("jumbo", active=True) is None
        kept = await uow.partners.by_code("jumbo")
        assert kept is not None
        assert (kept.name, kept.area, kept.active) == ("Jumbo Axel", "axel", False)
        assert await uow.partners.all(active=True) == []
        rows, _ = await uow.listing.page(SignalFilter(partner="jumbo"))
        assert len(rows) == 1  # its signal is still its signal


async def test_the_postcode_table_groups_the_list_and_the_figures(store: Store) -> None:
    areas = parse_area_table("4530-4539=Terneuzen-Centrum", PLACES)
    _, typed = await stored(store, postcode="4531 AB", area=None)
    _, chosen = await stored(store, postcode=None, area="terneuzen-centrum")
    await stored(store, postcode="4571", area=None)
    async with store.unit_of_work() as uow:
        wanted = SignalFilter(
            area="terneuzen-centrum", area_postcodes=areas.postcodes_of("terneuzen-centrum")
        )
        rows, total = await uow.listing.page(wanted)
        assert sorted(r.reference for r in rows) == sorted([typed, chosen])
        assert total == 2
        period = Period(NOW.date() - timedelta(days=7), NOW.date() + timedelta(days=1))
        figure_rows = await uow.figures.rows(
            period, now=NOW, hours=WorkingHours(), rules=FollowUpRules()
        )
    figures = figure_rows.figures(period, areas.by_postcode)
    assert figures.by_area == {"terneuzen-centrum": 2, "postcode:4571": 1}


async def test_the_migration_makes_the_keys_of_signals_already_stored(
    engine: AsyncEngine,
) -> None:
    await migrate_to(engine, "0007_staff_reach", keyring=TEST_KEYRING)
    store = Store(engine, TEST_KEYRING)
    async with store.unit_of_work() as uow:
        # As 0007 stored it: the values encrypted, no keys (the table is not there yet).
        draft = make_draft(reporter_phone="+31612345678", person_contact=None, postcode="4531 AB")
        await uow.session.execute(
            text(
                "INSERT INTO signals (reference, kind, status, urgent, language, channel, "
                "status_at, submitted_at, created_at, observations, help_wanted, "
                "reporter_phone, postcode, postcode4) VALUES ('SP-2026-0001', 'other', 'new', "
                ":no, 'nl', 'telegram', :now, :now, :now, '[]', '[]', :phone, :postcode, '4531')"
            ),
            {
                "no": False,
                "now": NOW.replace(tzinfo=None) if engine.dialect.name == "sqlite" else NOW,
                "phone": TEST_KEYRING.seal(
                    draft.reporter_phone or "", "signals.reporter_phone", "SP-2026-0001"
                ),
                "postcode": TEST_KEYRING.seal("4531 AB", "signals.postcode", "SP-2026-0001"),
            },
        )
        await uow.commit()
    await migrate_to(engine, "0008_workplace", keyring=TEST_KEYRING)
    async with store.unit_of_work() as uow:
        assert await found(uow, "06-12345678") == ["SP-2026-0001"]
        assert await found(uow, "4531AB") == ["SP-2026-0001"]
