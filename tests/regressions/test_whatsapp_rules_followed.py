"""What Meta's Cloud API enforces and the fake Graph API once let through:

- the pair rate (131056, about one message every 6 seconds to one user after a burst): a
  conversation's reply that WhatsApp paced was logged and lost (the step was stored, so the
  reporter never got the next question); now it waits and is sent;
- a template that is not registered as it is sent (132001, 132000): the check-in was put
  down as "reporter unreachable" and nobody heard of it; now admins are told what to fix,
  and the reporter is not marked unreachable.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.e2e.test_whatsapp_followup import ANNA, enrol, file_report
from tests.fakes.graph_api import FakeGraphAPI
from tests.support.telegram_harness import Clock
from tests.support.whatsapp_harness import Resident, running_whatsapp

pytestmark = pytest.mark.e2e


async def test_a_paced_reply_waits_and_arrives(tmp_path: Path) -> None:
    # One message, then one every 6 seconds: the language question uses the burst, and the
    # welcome after the language is chosen comes in more than one message.
    async with (
        FakeGraphAPI(pair_rate=(1, 6.0)) as graph,
        running_whatsapp(graph, tmp_path, Clock()) as run,
    ):
        resident = Resident(run, graph, number="905321234567")
        [languages] = await resident.says("Merhaba")
        assert languages.rows
        replies = await resident.taps("language", "tr")
        assert len(replies) >= 2
        assert resident.question().buttons or resident.question().rows
        refused = [r for r in graph.requests if r.status == 400]
        assert refused  # WhatsApp did pace it: the bot waited, then sent


async def test_a_template_not_registered_alerts_the_admins(tmp_path: Path) -> None:
    async with (
        FakeGraphAPI() as graph,
        running_whatsapp(graph, tmp_path, Clock()) as run,
    ):
        del graph.templates[(run.app.settings.whatsapp_checkin_template, "tr")]
        await enrol(run, ANNA, role="admin")
        reporter = Resident(run, graph, number="905321234567")
        reference = await file_report(reporter)
        now = run.clock.advance(days=15)  # the check-in, outside the 24 hours: a template
        assert (await run.app.followup.sweep(now))["reporter_checkin"] == 1
        await run.settle()
        alerts = [m for m in run.staff.messages if "whatsapp-templates.md" in m.text]
        assert len(alerts) == 1
        assert reference in alerts[0].text
        assert "132001" in alerts[0].text
        async with run.app.store.unit_of_work() as uow:
            actions = [e.action for e in await uow.signals.events(1)]
        assert "reporter_unreachable" not in actions
