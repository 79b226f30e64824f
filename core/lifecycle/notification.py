"""The loket's notification of a new signal. Staff always read it in Dutch."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from core.dialog.draft import SignalDraft, signal_lines
from core.dialog.flows import FLOW_OF_KIND, REPORT_OTHER
from core.dialog.model import Place
from core.text.languages import LanguageName
from core.text.msgids import N_, Msg, Token, When, msg

NEW_SIGNAL = N_("New signal %(reference)s, received %(date)s.")
NEW_URGENT_SIGNAL = N_("URGENT: new signal %(reference)s, received %(date)s.")
KIND_OTHER = N_("About someone else.")
KIND_SELF = N_("A report about themselves.")
KIND_VOICE = N_("A report by voice message: what it is about is in the voice message.")
REPORTER_LANGUAGE = N_("The reporter wrote in %(language)s.")
PARTNER = N_("Via partner: %(partner)s")


def loket_notification(
    reference: str,
    draft: SignalDraft,
    received_at: datetime,
    places: Sequence[Place],
    partner_name: str | None = None,
) -> tuple[Msg, ...]:
    """Everything the loket needs to start the follow-up of one signal."""
    flow = FLOW_OF_KIND.get(draft.kind, REPORT_OTHER)
    header = NEW_URGENT_SIGNAL if draft.urgent else NEW_SIGNAL
    texts: list[Msg] = [
        msg(header, reference=Token(reference), date=When(received_at)),
        kind_line(draft),
        msg(REPORTER_LANGUAGE, language=LanguageName(draft.language)),
    ]
    if draft.partner:
        texts.append(msg(PARTNER, partner=partner_name or draft.partner))
    texts.extend(signal_lines(flow, draft, places))
    return tuple(texts)


def kind_line(draft: SignalDraft) -> Msg:
    """Whom the signal is about: someone else, the reporter, or said in a voice note."""
    if draft.kind == "voice":
        return msg(KIND_VOICE)
    return msg(KIND_OTHER if draft.kind == "other" else KIND_SELF)
