"""Acting on WhatsApp's delivery statuses: a check-in or question that failed after it was
accepted. "Re-engagement required" (131047) means the 24-hour window had closed: the
message goes again, as a template. A rate limit sends it again later. Anything else means
the reporter cannot be reached, which is recorded on the signal (never an alarm)."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import datetime, timedelta

from core.lifecycle.parties import SYSTEM, Reporter
from storage.followup import REPORTER_UNREACHABLE
from storage.uow import UnitOfWork

from .inbound import Status
from .messenger import CHANNEL, RATE_LIMITS, RE_ENGAGEMENT, TEMPLATE_MARK

log = logging.getLogger(__name__)

FAILED = "failed"


async def record_statuses(uow: UnitOfWork, statuses: Sequence[Status], now: datetime) -> bool:
    """Act on failed deliveries (each once); True when something was queued again."""
    queued = False
    for status in statuses:
        if status.status != FAILED:
            continue  # sent, delivered, read: nothing to do, and nothing worth storing
        if not await uow.inbound.record(CHANNEL, f"status:{status.wamid}"[:128], now):
            continue  # a redelivered status
        template = await uow.outbox.landed(TEMPLATE_MARK + status.wamid)
        item = template or await uow.outbox.landed(status.wamid)
        target = item.target if item is not None else None
        reporter_id = target.reporter_id if isinstance(target, Reporter) else None
        if item is None or reporter_id is None:
            log.warning("a WhatsApp message we do not know failed: %s", status.error_codes)
            continue
        limited = [RATE_LIMITS[c] for c in status.error_codes if c in RATE_LIMITS]
        if RE_ENGAGEMENT in status.error_codes and template is None:
            await uow.reporters.window_closed(reporter_id)
            await uow.outbox.resend(item.id, now)
            queued = True
        elif limited:
            await uow.outbox.resend(item.id, now + timedelta(seconds=max(limited)))
            queued = True
        elif item.signal_id is not None:
            codes = ",".join(str(c) for c in status.error_codes) or "?"
            await uow.signals.add_event(
                item.signal_id,
                at=now,
                actor=SYSTEM,
                action=REPORTER_UNREACHABLE,
                detail=item.kind[:32],
                note=f"whatsapp {codes}",
            )
    return queued
