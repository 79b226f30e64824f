"""Putting the logging set-up back after a test that ran ``configure_logging`` (it replaces
the root's handlers, pytest's too, and sets levels on our and the libraries' loggers)."""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Iterator

from bot.logs import OWN_LOGGERS

TOUCHED = (*OWN_LOGGERS, "uvicorn", "uvicorn.error", "uvicorn.access", "httpx")


@contextlib.contextmanager
def kept_logging() -> Iterator[None]:
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    loggers = {name: logging.getLogger(name) for name in TOUCHED}
    before = {name: (lg.level, lg.handlers[:], lg.propagate) for name, lg in loggers.items()}
    try:
        yield
    finally:
        for handler in root.handlers[:]:
            root.removeHandler(handler)
        for handler in handlers:
            root.addHandler(handler)
        root.setLevel(level)
        for name, (lg_level, lg_handlers, propagate) in before.items():
            lg = loggers[name]
            lg.setLevel(lg_level)
            lg.handlers[:] = lg_handlers
            lg.propagate = propagate
