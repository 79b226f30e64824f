"""Starting ``signaalpunt`` as a real process, and what such a test may assume of the calendar.

A process under test uses the wall clock, so the year of everything it dates (a signal's
reference ``SP-<year>-<number>``, an invite's expiry, a log line) is whatever year the test runs
in. A test that starts one is marked ``wall_clock`` and must hold in any year and across New
Year's Eve: ``make test-new-year`` runs exactly these tests under libfaketime in the last minute
of a year other than this one. The environment built here hands that fake clock on to the
process, so the test and the process agree on the time.
"""

from __future__ import annotations

import os
import re
import sys
from collections.abc import Mapping
from pathlib import Path

import pytest

SIGNAALPUNT = Path(sys.executable).parent / "signaalpunt"
WALL_CLOCK = "wall_clock"

# Set by `faketime` (make test-new-year); passed on so a child process shares the fake clock.
_CLOCK_VARIABLES = ("LD_PRELOAD", "FAKETIME")

# A reference made by a process: its year is the wall clock's, so never spelled out in a test.
REFERENCE = re.compile(r"SP-\d{4}-\d{4}")


def reference_number(number: int) -> re.Pattern[str]:
    """The pattern of the ``number``-th reference of a year, whichever year it is."""
    return re.compile(rf"SP-\d{{4}}-{number:04d}")


def find_reference(text: str, number: int = 1) -> str | None:
    """The ``number``-th reference of a year, as it stands in ``text``, or None."""
    found = reference_number(number).search(text)
    return found.group(0) if found else None


def process_env(variables: Mapping[str, str], *, inherit: bool = False) -> dict[str, str]:
    """The environment for a ``signaalpunt`` process started by the current test.

    Only a test marked ``wall_clock`` may start one, so that ``make test-new-year`` runs it
    under another year. ``inherit`` starts from this process's environment (minus our own
    ``SIGNAALPUNT_`` settings) instead of a bare PATH.
    """
    _require_wall_clock_marker()
    if inherit:
        base = {k: v for k, v in os.environ.items() if not k.startswith("SIGNAALPUNT_")}
    else:
        base = {"PATH": "/usr/bin:/bin"}
        base |= {name: os.environ[name] for name in _CLOCK_VARIABLES if name in os.environ}
    return base | {"PYTHONUNBUFFERED": "1"} | dict(variables)


_current_markers: set[str] = set()


def remember_markers(item: pytest.Item) -> None:
    """Called by the root conftest for each test, so ``process_env`` can check its marker."""
    _current_markers.clear()
    _current_markers.update(marker.name for marker in item.iter_markers())


def _require_wall_clock_marker() -> None:
    if WALL_CLOCK not in _current_markers:
        raise AssertionError(
            "this test starts a signaalpunt process, which uses the wall clock: mark it "
            f"`pytest.mark.{WALL_CLOCK}` so `make test-new-year` checks it in another year"
        )
