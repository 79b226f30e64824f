"""The log formatters and set-up: one JSON object per line with the whitelisted fields;
exceptions by type and frames, never by message; libraries (uvicorn too) through the same
handler, at WARNING and above."""

from __future__ import annotations

import io
import json
import logging
import socket
import sys
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from pydantic import ValidationError

from bot.logs import OWN_LOGGERS, JsonFormatter, TextFormatter, configure_logging
from bot.settings import Settings
from bot.web.http import HttpServer, build_http_app
from tests.support.logging_state import kept_logging

SECRET = "Piet Jansen 0612345678"


def record(
    message: str = "signal stored",
    *args: object,
    level: int = logging.INFO,
    name: str = "bot.reporting.service",
    exc: BaseException | None = None,
    **extra: Any,
) -> logging.LogRecord:
    exc_info = (type(exc), exc, exc.__traceback__) if exc is not None else None
    return logging.getLogger(name).makeRecord(
        name, level, __file__, 1, message, args, exc_info, extra=extra
    )


def raised(error: BaseException) -> BaseException:
    try:
        raise error
    except BaseException as caught:
        return caught


def failing_parse() -> None:
    int(SECRET)  # a ValueError whose message quotes the text


def chained() -> BaseException:
    try:
        try:
            failing_parse()
        except ValueError as error:
            raise RuntimeError(f"could not read {SECRET}") from error
    except RuntimeError as outer:
        return outer
    raise AssertionError("unreachable")


def test_a_record_is_one_json_object_on_one_line() -> None:
    line = JsonFormatter().format(record(reference="SP-2026-0001"))
    assert "\n" not in line
    entry = json.loads(line)
    assert entry.keys() == {"time", "level", "logger", "message", "reference"}
    assert entry["level"] == "INFO"
    assert entry["logger"] == "bot.reporting.service"
    assert entry["message"] == "signal stored"
    assert entry["reference"] == "SP-2026-0001"
    at = datetime.fromisoformat(entry["time"])
    assert at.utcoffset() == timedelta(0)
    assert entry["time"].endswith("Z")
    assert abs(datetime.now(UTC) - at) < timedelta(minutes=1)


def test_the_whitelisted_fields_keep_their_json_types() -> None:
    counts = {"drafts": 2, "update_ids": 17}
    made = record("retention run", counts=counts, signals=3, actor="reporter:12")
    entry = json.loads(JsonFormatter().format(made))
    assert entry["counts"] == counts
    assert entry["signals"] == 3
    assert entry["actor"] == "reporter:12"


def test_other_extra_fields_are_left_out() -> None:
    made = record("x", name="uvicorn.error", color_message="\x1b[36mx\x1b[0m", text=SECRET)
    entry = json.loads(JsonFormatter().format(made))
    assert entry.keys() == {"time", "level", "logger", "message"}


def test_line_breaks_in_a_message_stay_inside_the_line() -> None:
    line = JsonFormatter().format(record("a\nb\r\nc\u2028d %s", "é"))
    assert len(line.splitlines()) == 1
    assert line.isascii()
    assert json.loads(line)["message"] == "a\nb\r\nc\u2028d é"


def test_an_error_shows_type_and_frames_but_not_the_message() -> None:
    error = raised(ValueError(SECRET))
    entry = json.loads(JsonFormatter().format(record("failed", level=logging.ERROR, exc=error)))
    assert entry["exc_type"] == "ValueError"
    assert "Traceback (most recent call last):" in entry["traceback"]
    assert "in raised" in entry["traceback"]  # the frame, with its source line
    assert SECRET not in json.dumps(entry)


def test_a_chain_of_exceptions_shows_every_type_innermost_first() -> None:
    error = chained()
    entry = json.loads(JsonFormatter().format(record("failed", level=logging.ERROR, exc=error)))
    assert entry["exc_type"] == "RuntimeError"
    trace = entry["traceback"]
    assert trace.index("in failing_parse") < trace.index("\nValueError") < trace.index("which")
    assert trace.rstrip().endswith("RuntimeError")
    assert "Piet" not in trace
    assert "int(SECRET)" in trace  # source lines are code, not data


def test_a_warning_with_an_exception_shows_its_type_only() -> None:
    error = raised(OSError(SECRET))
    warned = record("retrying", level=logging.WARNING, name="httpx", exc=error)
    entry = json.loads(JsonFormatter().format(warned))
    assert entry["exc_type"] == "OSError"
    assert "traceback" not in entry
    assert SECRET not in json.dumps(entry)


def test_a_library_exception_is_named_with_its_module() -> None:
    with pytest.raises(ValidationError) as caught:
        Settings(_env_file=None, log_format=SECRET)  # type: ignore[call-arg, arg-type]
    made = record("x", level=logging.WARNING, exc=caught.value)
    entry = json.loads(JsonFormatter().format(made))
    assert entry["exc_type"] == "pydantic_core._pydantic_core.ValidationError"
    assert SECRET not in json.dumps(entry)  # pydantic quotes the input in its message


def test_text_lines_read_like_basic_config_with_the_fields() -> None:
    formatter = TextFormatter()
    line = formatter.format(record(reference="SP-2026-0001"))
    assert line == "INFO:bot.reporting.service:signal stored reference=SP-2026-0001"
    error = raised(ValueError(SECRET))
    failed = formatter.format(record("failed", level=logging.ERROR, exc=error))
    assert failed.startswith(
        "ERROR:bot.reporting.service:failed\nTraceback (most recent call last):"
    )
    assert failed.endswith("ValueError")
    assert SECRET not in failed
    warned = formatter.format(record("slow", level=logging.WARNING, exc=error))
    assert warned == "WARNING:bot.reporting.service:slow (ValueError)"


@pytest.fixture
def restored_logging() -> Iterator[None]:
    """configure_logging replaces the root's handlers (pytest's too): put them back."""
    with kept_logging():
        yield


def emitted(stream: io.StringIO) -> list[tuple[str, str]]:
    return [(e["logger"], e["message"]) for e in map(json.loads, stream.getvalue().splitlines())]


@pytest.mark.usefixtures("restored_logging")
def test_json_logging_lets_our_info_through_and_keeps_libraries_at_warning() -> None:
    stream = io.StringIO()
    configure_logging("json", None, stream)
    logging.getLogger("bot.reporting.service").info("signal stored")
    logging.getLogger("bot.reporting.service").debug("details")
    # httpx logs every request at INFO, with the URL: a Telegram URL holds the bot token.
    logging.getLogger("httpx").info("HTTP Request: POST https://api.telegram.org/bot123:X/")
    logging.getLogger("httpx").warning("slow")
    assert emitted(stream) == [("bot.reporting.service", "signal stored"), ("httpx", "slow")]


@pytest.mark.usefixtures("restored_logging")
def test_a_debug_level_is_ours_only_and_text_defaults_to_warning() -> None:
    stream = io.StringIO()
    configure_logging("json", "DEBUG", stream)
    logging.getLogger("storage.outbox").debug("claimed")
    logging.getLogger("sqlalchemy.engine").info("SELECT ...")
    assert emitted(stream) == [("storage.outbox", "claimed")]
    text = io.StringIO()
    configure_logging("text", None, text)
    logging.getLogger("bot.reporting.service").info("signal stored")
    logging.getLogger("bot.outbox.worker").warning("failed")
    assert text.getvalue() == "WARNING:bot.outbox.worker:failed\n"


@pytest.mark.usefixtures("restored_logging")
def test_uvicorn_logs_through_our_handler() -> None:
    stream = io.StringIO()
    configure_logging("json", None, stream)
    with socket.socket() as sock:
        HttpServer(build_http_app(), "127.0.0.1", 0, sock)
    uvicorn_logger = logging.getLogger("uvicorn.error")
    assert logging.getLogger("uvicorn").handlers == []  # no handler of its own
    uvicorn_logger.info("Started server process")  # below WARNING: dropped
    uvicorn_logger.warning("Invalid HTTP request received.")
    assert emitted(stream) == [("uvicorn.error", "Invalid HTTP request received.")]


@pytest.mark.parametrize(
    ("environment", "expected"),
    [
        ({}, ("text", None)),
        ({"SIGNAALPUNT_LOG_FORMAT": "JSON"}, ("json", None)),
        ({"SIGNAALPUNT_LOG_FORMAT": "json", "SIGNAALPUNT_LOG_LEVEL": "debug"}, ("json", "DEBUG")),
        ({"SIGNAALPUNT_LOG_LEVEL": ""}, ("text", None)),
    ],
)
def test_the_settings(
    monkeypatch: pytest.MonkeyPatch, environment: dict[str, str], expected: tuple[str, str]
) -> None:
    for name, value in environment.items():
        monkeypatch.setenv(name, value)
    settings = Settings(_env_file=None)  # type: ignore[call-arg]
    assert (settings.log_format, settings.log_level) == expected


@pytest.mark.parametrize("variable", ["SIGNAALPUNT_LOG_FORMAT", "SIGNAALPUNT_LOG_LEVEL"])
def test_unknown_settings_are_refused(monkeypatch: pytest.MonkeyPatch, variable: str) -> None:
    monkeypatch.setenv(variable, "loud")
    with pytest.raises(ValidationError):
        Settings(_env_file=None)  # type: ignore[call-arg]


def test_stderr_is_the_default_stream(monkeypatch: pytest.MonkeyPatch) -> None:
    root = logging.getLogger()
    monkeypatch.setattr(root, "handlers", root.handlers[:])
    monkeypatch.setattr(root, "level", root.level)
    for name in OWN_LOGGERS:
        monkeypatch.setattr(logging.getLogger(name), "level", logging.getLogger(name).level)
    configure_logging("json")
    [handler] = root.handlers
    assert isinstance(handler, logging.StreamHandler)
    assert handler.stream is sys.stderr
