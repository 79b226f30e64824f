"""The loket's notification of a new signal. Staff always read it in Dutch."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from core.dialog.draft import SignalDraft, signal_lines
from core.dialog.flows import FLOWS
from core.dialog.model import Place
from core.text.languages import LanguageName
from core.text.msgids import N_, Msg, Token, When, msg

NEW_SIGNAL = N_("New signal %(reference)s, received %(date)s.")
NEW_URGENT_SIGNAL = N_("URGENT: new signal %(reference)s, received %(date)s.")
KIND_OTHER = N_("About someone else.")
KIND_SELF = N_("A report about themselves.")
REPORTER_LANGUAGE = N_("The reporter wrote in %(language)s.")
REPORTER_CALLED = N_("The reporter called the loket: a telephone report.")
PHONE_CHANNEL = "phone"  # a report taken by telephone and typed in by staff


def reporter_line(draft: SignalDraft, channel: str | None) -> Msg:
    """How the report came in: by telephone, or written in the reporter's language."""
    if channel == PHONE_CHANNEL:
        return msg(REPORTER_CALLED)
    return msg(REPORTER_LANGUAGE, language=LanguageName(draft.language))


PARTNER = N_("Via partner: %(partner)s")


def loket_notification(
    reference: str,
    draft: SignalDraft,
    received_at: datetime,
    places: Sequence[Place],
    partner_name: str | None = None,
    channel: str | None = None,
) -> tuple[Msg, ...]:
    """Everything the loket needs to start the follow-up of one signal."""
    flow = FLOWS["report_other" if draft.kind == "other" else "report_self"]
    header = NEW_URGENT_SIGNAL if draft.urgent else NEW_SIGNAL
    texts: list[Msg] = [
        msg(header, reference=Token(reference), date=When(received_at)),
        msg(KIND_OTHER if draft.kind == "other" else KIND_SELF),
        reporter_line(draft, channel),
    ]
    if draft.partner:
        texts.append(msg(PARTNER, partner=partner_name or draft.partner))
    texts.extend(signal_lines(flow, draft, places))
    return tuple(texts)
