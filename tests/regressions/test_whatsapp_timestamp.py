"""Regression: a message timestamp that str.isdigit() accepts but is no time (a superscript
digit, a year past 9999) raised from parse_webhook; the webhook answered 500 and Meta would
have delivered the whole batch again and again. It now falls back to the receipt time."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from bot.channels.whatsapp.inbound import parse_webhook
from tests.fakes import whatsapp_payloads as wa

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)


@pytest.mark.parametrize("timestamp", ["²", "999999999999", "99999999999999999999", "-1"])
def test_a_timestamp_that_is_no_time_falls_back_to_the_receipt_time(timestamp: str) -> None:
    item = wa.text_message(text="Hoi", wa_id="905321234567", timestamp=NOW)
    item.message["timestamp"] = timestamp
    messages, _ = parse_webhook(wa.envelope(item), wa.PHONE_NUMBER_ID, NOW)
    [message] = messages
    assert message.at == NOW
    assert message.text == "Hoi"
