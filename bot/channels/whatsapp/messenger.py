"""Sending over WhatsApp: conversation replies, and outbox messages (check-ins and the
loket's questions) as free text inside the 24-hour window or as templates outside it.

WhatsApp's errors become ``DeliveryError``s the outbox understands: rate limits back off,
"re-engagement required" (131047) switches to the template at once, a reporter WhatsApp
cannot reach is permanent (recorded on the signal as unreachable).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any

import httpx
from pywa_async.client import WhatsApp
from pywa_async.errors import WhatsAppError
from pywa_async.types.callback import Button, Section, SectionList, SectionRow
from pywa_async.types.templates import TemplateLanguage

from bot.ports import DeliveryError, Outgoing, TemplateCall

from .render import ListTexts, Option, WaButtons, WaMessage, WaText, render

log = logging.getLogger(__name__)

CHANNEL = "whatsapp"
WINDOW = timedelta(hours=24)
# Meta measures the window from the reporter's message; ours is when we processed it, and
# the outbox may take a moment: stay clear of the edge.
WINDOW_MARGIN = timedelta(minutes=10)
RE_ENGAGEMENT = 131047
# Where a template landed is recorded with this mark: when it fails too, there is no
# other form left to try.
TEMPLATE_MARK = "t:"
RATE_LIMITS = {130429: 30.0, 131056: 60.0, 4: 60.0, 80007: 60.0, 131048: 300.0}
# Worth retrying: WhatsApp's own trouble, or our configuration (an expired token is fixed
# by an operator, and the messages must still go out then).
TEMPORARY = {1, 2, 0, 3, 10, 190, 131000, 131016, 131057, 133016}
# The template is not registered as we send it (no such name or language, other parameters):
# our configuration, not the reporter, is at fault (docs/whatsapp-templates.md).
TEMPLATE_ERRORS = {132000, 132001, 132005, 132007, 132012, 132015, 132016}
# A reply in a conversation that WhatsApp paces is sent again after this long (seconds), a
# few times: the pair rate allows one message every 6 seconds to one user after a burst.
REPLY_WAITS = {131056: 6.0, 130429: 1.0, 80007: 6.0}
REPLY_ATTEMPTS = 5


def window_open(last_inbound_at: datetime | None, now: datetime) -> bool:
    """Free-form messages reach the reporter: they wrote within the last 24 hours."""
    return last_inbound_at is not None and now - last_inbound_at < WINDOW - WINDOW_MARGIN


def delivery_error(error: WhatsAppError) -> DeliveryError:
    code, status = error.code, error.status_code or 0
    reason = f"whatsapp {code}: {error.message}"[:300]
    if code in TEMPLATE_ERRORS:
        return DeliveryError(reason, permanent=True, configuration=True)
    if code in RATE_LIMITS or status == 429:
        return DeliveryError(reason, retry_after=RATE_LIMITS.get(code, 60.0))
    # pywa reports a non-JSON error page (a proxy's 502, an outage) with the HTTP status
    # as its code: those are WhatsApp's trouble, not the reporter's.
    if code in TEMPORARY or 200 <= code < 300 or status >= 500 or error.is_transient:
        return DeliveryError(reason)
    return DeliveryError(reason, permanent=True)


def template_param(value: str) -> str:
    """WhatsApp refuses template parameters with new lines, tabs or 4+ spaces in a row."""
    return " ".join(value.split()) or "-"


class WhatsAppMessenger:
    def __init__(
        self,
        client: WhatsApp,
        list_texts: Mapping[str, ListTexts],
        templates: Mapping[str, str],
        clock: Callable[[], datetime],
    ) -> None:
        self._client = client
        self._list_texts = list_texts
        self._templates = templates  # our name -> the registered template name
        self._clock = clock

    async def send(self, to: str, message: WaMessage) -> str:
        """Send one message; returns its WhatsApp message id (raises pywa's errors)."""
        if isinstance(message, WaText):
            sent = await self._client.send_message(to, message.body)
        elif isinstance(message, WaButtons):
            buttons = [Button(title, callback_data=id_) for id_, title in message.buttons]
            sent = await self._client.send_message(to, message.body, buttons=buttons)
        else:
            rows = [SectionRow(r.title, r.id, r.description) for r in message.rows]
            listed = SectionList(message.button, [Section(message.section, rows)])
            sent = await self._client.send_message(to, message.body, buttons=listed)
        return str(sent.id)

    async def send_all(self, to: str, messages: Sequence[WaMessage]) -> str:
        landed = ""
        for message in messages:
            landed = await self.send(to, message)
        return landed

    async def reply(self, to: str, messages: Sequence[WaMessage]) -> None:
        """Send a conversation's replies, in order, waiting out WhatsApp's pace: the step is
        stored already, so a reply given up would leave the reporter without the question."""
        for message in messages:
            for attempt in range(REPLY_ATTEMPTS):
                try:
                    await self.send(to, message)
                    break
                except WhatsAppError as error:
                    wait = REPLY_WAITS.get(error.code)
                    if wait is None or attempt == REPLY_ATTEMPTS - 1:
                        raise
                    log.info("WhatsApp paces this chat: the reply waits %s s", wait)
                    await asyncio.sleep(wait)

    def texts(self, language: str) -> ListTexts:
        return self._list_texts.get(language) or self._list_texts["nl"]

    async def deliver(self, message: Outgoing) -> str:
        """The outbox's port: a reporter message, free-form or as a template."""
        if message.channel != CHANNEL:
            raise DeliveryError(f"not a WhatsApp message: {message.channel}", permanent=True)
        try:
            if window_open(message.last_inbound_at, self._clock()):
                try:
                    return await self._free_form(message)
                except WhatsAppError as error:
                    if error.code != RE_ENGAGEMENT:
                        raise
                    log.info(
                        "window closed; sending the template",
                        extra={"reference": message.reference},
                    )
            return await self._template(message)
        except WhatsAppError as error:
            raise delivery_error(error) from error
        except httpx.HTTPError as error:
            raise DeliveryError(f"network: {error!r}"[:300]) from error
        except ValueError as error:  # pywa refused the message before sending: our bug
            raise DeliveryError(f"refused by pywa: {error}"[:300], permanent=True) from error

    async def _free_form(self, message: Outgoing) -> str:
        language = message.template.language if message.template else "nl"
        options = [Option(b.data, b.label, short=b.short) for b in message.buttons]
        return await self.send_all(
            message.target, render(message.text, options, self.texts(language))
        )

    async def _template(self, message: Outgoing) -> str:
        call = message.template
        if call is None or call.name not in self._templates:
            raise DeliveryError("outside the 24-hour window, and no template", permanent=True)
        sent = await self._client.send_template(
            message.target,
            name=self._templates[call.name],
            language=TemplateLanguage(call.language),
            params=template_params(call),
        )
        return TEMPLATE_MARK + str(sent.id)


def template_params(call: TemplateCall) -> list[dict[str, Any]]:
    """The template's components in the Cloud API's own form: body text parameters, and
    the payload each quick-reply button sends back when pressed."""
    body = [{"type": "text", "text": template_param(p)} for p in call.params]
    components: list[dict[str, Any]] = [{"type": "body", "parameters": body}]
    components.extend(
        {
            "type": "button",
            "sub_type": "quick_reply",
            "index": index,
            "parameters": [{"type": "payload", "payload": data}],
        }
        for index, data in enumerate(call.button_data)
    )
    return components
