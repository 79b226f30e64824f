"""Logging: one JSON object per line (production) or a short text line (the terminal).

What reaches a log is limited on purpose. Only the whitelisted ``extra`` fields are written
(references, counts and staff or reporter ids, never texts); an exception is shown by its
type and frames but not its message, because a message may quote the value that failed
(``int("Piet")``, asyncpg's rejected argument, pydantic's ``input_value``). Libraries log
at WARNING and above only: httpx logs every request URL at INFO, and a Telegram URL holds
the bot token.
"""

from __future__ import annotations

import json
import logging
import sys
import traceback
from collections.abc import Iterator
from datetime import UTC, datetime
from types import TracebackType
from typing import Any, Literal, TextIO

LogFormat = Literal["text", "json"]

# The ``extra`` fields our log calls use (``grep -rn "extra=" bot``); anything else a log
# record carries (uvicorn's color_message, a library's own extras) is left out.
FIELDS = ("reference", "counts", "signals", "actor", "reason")  # reason: a refusal's code
# Our own packages log at the configured level; everything else at WARNING or above.
OWN_LOGGERS = ("bot", "storage", "core")

ExcInfo = tuple[type[BaseException], BaseException, TracebackType | None]


def _type_name(kind: type[BaseException]) -> str:
    module = kind.__module__
    return kind.__qualname__ if module == "builtins" else f"{module}.{kind.__qualname__}"


def _chain(error: BaseException) -> Iterator[BaseException]:
    """The exception and what caused it, outermost first (cycles cut)."""
    seen: set[int] = set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        yield current
        if current.__cause__ is not None:  # raise ... from cause
            current = current.__cause__
        elif current.__suppress_context__:  # raise ... from None
            current = None
        else:  # raised while handling another
            current = current.__context__


def safe_traceback(error: BaseException) -> str:
    """Like Python's traceback, innermost cause first, with each exception's type but not
    its message."""
    parts: list[str] = []
    for exception in reversed(list(_chain(error))):
        frames = "".join(traceback.format_tb(exception.__traceback__))
        parts.append(f"Traceback (most recent call last):\n{frames}{_type_name(type(exception))}")
    return "\n\nwhich led to:\n\n".join(parts)


def _exc_info(record: logging.LogRecord) -> ExcInfo | None:
    info = record.exc_info
    if not info or info[0] is None or info[1] is None:
        return None
    return info[0], info[1], info[2]


def _fields(record: logging.LogRecord) -> dict[str, Any]:
    return {name: record.__dict__[name] for name in FIELDS if name in record.__dict__}


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time (UTC, ISO 8601), level, logger, message, the
    whitelisted fields; with an exception its type, and at ERROR and above its frames."""

    def format(self, record: logging.LogRecord) -> str:
        at = datetime.fromtimestamp(record.created, UTC)
        entry: dict[str, Any] = {
            "time": at.isoformat(timespec="milliseconds").replace("+00:00", "Z"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        entry.update(_fields(record))
        info = _exc_info(record)
        if info is not None:
            entry["exc_type"] = _type_name(info[0])
            if record.levelno >= logging.ERROR:
                entry["traceback"] = safe_traceback(info[1])
        # ASCII only: every line break (also U+2028 in a value) is escaped, so one record
        # stays one line for whatever splits the stream into lines.
        return json.dumps(entry, ensure_ascii=True, default=str)


class TextFormatter(logging.Formatter):
    """``LEVEL:logger:message key=value``, as ``logging.basicConfig`` writes, plus the
    whitelisted fields; exceptions as in ``safe_traceback``."""

    def format(self, record: logging.LogRecord) -> str:
        line = f"{record.levelname}:{record.name}:{record.getMessage()}"
        fields = " ".join(f"{key}={value}" for key, value in _fields(record).items())
        if fields:
            line = f"{line} {fields}"
        info = _exc_info(record)
        if info is not None:
            if record.levelno >= logging.ERROR:
                line = f"{line}\n{safe_traceback(info[1])}"
            else:
                line = f"{line} ({_type_name(info[0])})"
        return line


LEVELS = {
    "DEBUG": logging.DEBUG,
    "INFO": logging.INFO,
    "WARNING": logging.WARNING,
    "ERROR": logging.ERROR,
}


def default_level(log_format: LogFormat) -> int:
    """INFO in production (json), WARNING in the terminal (text), where log lines would
    interrupt the chat."""
    return logging.INFO if log_format == "json" else logging.WARNING


def configure_logging(
    log_format: LogFormat, level_name: str | None = None, stream: TextIO | None = None
) -> None:
    """Replace any handler with one on ``stream`` (stderr) in the chosen format; the level
    is one of ``LEVELS``, or the format's default."""
    level = default_level(log_format) if level_name is None else LEVELS[level_name]
    handler = logging.StreamHandler(sys.stderr if stream is None else stream)
    handler.setFormatter(JsonFormatter() if log_format == "json" else TextFormatter())
    logging.basicConfig(handlers=[handler], level=max(level, logging.WARNING), force=True)
    for name in OWN_LOGGERS:
        logging.getLogger(name).setLevel(level)
