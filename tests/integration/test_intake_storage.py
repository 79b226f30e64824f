"""A telephone report is stored like any signal, but its history names the staff member."""

from __future__ import annotations

from core.dialog import intake
from core.dialog.flows import REPORT_OTHER
from core.lifecycle.parties import StaffMember
from core.lifecycle.staff_texts import PHONE_CHANNEL
from storage import Store
from tests.support.builders import NOW
from tests.unit.conftest import PLACES

FORM = {
    "danger": ["no"],
    "role": ["shop"],
    "age_group": ["75_plus"],
    "observations": ["often_alone"],
    "place_postcode": ["4531 ab"],
    "contact_language": ["other"],
    "language_other": ["Papiaments"],
    "note": ["Komt elke dag langs voor een praatje."],
    "callback": ["yes"],
    "reporter_name": ["Sanne"],
    "reporter_phone": ["0612345678"],
}


async def test_a_phone_report_names_the_staff_member_who_entered_it(store: Store) -> None:
    accepted = intake.read_form(REPORT_OTHER, FORM, PLACES)
    assert isinstance(accepted, intake.Accepted)
    draft = intake.intake_draft(REPORT_OTHER, accepted, NOW)
    async with store.unit_of_work() as uow:
        stored = await uow.signals.add(
            draft, reporter_id=None, channel=PHONE_CHANNEL, now=NOW, actor=StaffMember(7)
        )
        await uow.commit()
    async with store.unit_of_work() as uow:
        loaded = await uow.signals.get_by_reference(stored.reference)
        events = await uow.signals.events(stored.id)
        queued = await uow.outbox.claim_due(NOW, limit=10)
    assert loaded is not None
    assert loaded.channel == "phone"
    assert loaded.reporter_id is None
    assert loaded.draft == draft
    assert [(e.actor, e.action) for e in events] == [("staff:7", "created")]
    assert queued == []  # what a stored signal queues is the service's (the intake page's)


async def test_without_an_actor_the_reporter_is_named_as_before(store: Store) -> None:
    accepted = intake.read_form(REPORT_OTHER, FORM, PLACES)
    assert isinstance(accepted, intake.Accepted)
    draft = intake.intake_draft(REPORT_OTHER, accepted, NOW)
    async with store.unit_of_work() as uow:
        stored = await uow.signals.add(draft, reporter_id=None, channel="web", now=NOW)
        events = await uow.signals.events(stored.id)
    assert [(e.actor, e.action) for e in events] == [("reporter:anonymous", "created")]
