"""How WhatsApp's errors reach the outbox, the 24-hour window and template parameters."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import httpx
import pytest
from pywa_async.errors import WhatsAppError

from bot.channels.whatsapp.messenger import (
    delivery_error,
    template_param,
    template_params,
    window_open,
)
from bot.ports import TemplateCall

NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)


def _error(code: int, status: int = 400) -> WhatsAppError:
    response = httpx.Response(status, request=httpx.Request("POST", "https://x.invalid"))
    return WhatsAppError.from_dict({"code": code, "message": "m"}, response=response)


@pytest.mark.parametrize("code", [130429, 131056])
def test_rate_limits_back_off(code: int) -> None:
    error = delivery_error(_error(code))
    assert not error.permanent
    assert error.retry_after is not None
    assert error.retry_after >= 30


@pytest.mark.parametrize(("code", "status"), [(131000, 500), (503, 503), (502, 502), (190, 401)])
def test_whatsapps_own_trouble_and_our_configuration_are_retried(code: int, status: int) -> None:
    error = delivery_error(_error(code, status))
    assert not error.permanent
    assert error.retry_after is None


@pytest.mark.parametrize("code", [131026, 131051, 131009, 132001])
def test_an_unreachable_reporter_or_a_bad_message_is_permanent(code: int) -> None:
    assert delivery_error(_error(code)).permanent


def test_a_429_status_without_a_known_code_backs_off() -> None:
    assert delivery_error(_error(1234, 429)).retry_after == 60.0


@pytest.mark.parametrize(
    ("ago", "open_"),
    [
        (None, False),
        (timedelta(minutes=1), True),
        (timedelta(hours=23, minutes=49), True),
        (timedelta(hours=23, minutes=51), False),  # the margin: the outbox may be late
        (timedelta(days=14), False),
    ],
)
def test_the_24_hour_window(ago: timedelta | None, open_: bool) -> None:
    last = None if ago is None else NOW - ago
    assert window_open(last, NOW) is open_


def test_template_parameters_are_one_line() -> None:
    assert template_param("Wanneer\n\nis zij\tthuis?    Dank") == "Wanneer is zij thuis? Dank"
    assert template_param(" \n ") == "-"


def test_template_components_carry_the_button_payloads() -> None:
    call = TemplateCall("checkin", "tr", ("SP-2026-0001",), ("k|1|yes", "k|1|no"))
    body, first, second = template_params(call)
    assert body == {"type": "body", "parameters": [{"type": "text", "text": "SP-2026-0001"}]}
    assert first["sub_type"] == "quick_reply"
    assert (first["index"], second["index"]) == (0, 1)
    assert second["parameters"] == [{"type": "payload", "payload": "k|1|no"}]
