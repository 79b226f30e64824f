"""The test suite holds in any year (the suite once asserted ``SP-2026-0001`` of a process that
uses the wall clock, and would have turned red on 1 January 2027 with no code change).

Processes are started only through ``tests/support/processes.py``, which refuses a test not marked
``wall_clock``; ``make test-new-year`` runs those tests across New Year's Eve of another year.
These checks keep the tests from going around it."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.support.processes import SIGNAALPUNT, process_env

TESTS = Path(__file__).resolve().parents[1]
HELPER = TESTS / "support" / "processes.py"

# Building the executable's path, or naming it as a command, anywhere but in the helper.
OWN_PATH = re.compile(r"""parent\s*/\s*["']signaalpunt["']|["'][^"'\s]*bin/signaalpunt["']""")
# A reference with a year spelled out, in a test that talks to a process using the wall clock.
YEAR_REFERENCE = re.compile(r"SP-(?:19|20|21)\d\d-")


def sources() -> list[Path]:
    return sorted(path for path in TESTS.rglob("*.py") if path != Path(__file__).resolve())


def starts_processes(source: str) -> bool:
    return "process_env(" in source or "ConsoleProcess(" in source


def test_only_the_helper_knows_where_the_executable_is() -> None:
    offenders = [
        str(path.relative_to(TESTS))
        for path in sources()
        if path != HELPER and OWN_PATH.search(path.read_text(encoding="utf-8"))
    ]
    helper = "tests/support/processes.py"
    assert offenders == [], f"start signaalpunt through {helper}: " + ", ".join(offenders)


def test_tests_that_start_a_process_are_marked_and_assume_no_year() -> None:
    checked = 0
    for path in sources():
        source = path.read_text(encoding="utf-8")
        if path == HELPER or not starts_processes(source):
            continue
        checked += 1
        name = str(path.relative_to(TESTS))
        if path.name.startswith("test_"):  # helpers are checked at run time by process_env
            assert "wall_clock" in source, f"{name} starts a process but is not marked wall_clock"
        years = sorted(set(YEAR_REFERENCE.findall(source)) - {"SP-1999-"})
        assert years == [], f"{name} spells out a year of a wall-clock reference: {years}"
    assert checked >= 8  # the CLI, console, health, restart, two-instance and WhatsApp tests


def test_an_unmarked_test_cannot_start_a_process() -> None:
    with pytest.raises(AssertionError, match="wall_clock"):
        process_env({"SIGNAALPUNT_DATABASE_URL": "sqlite+aiosqlite:///unused.db"})
    assert SIGNAALPUNT.name == "signaalpunt"


@pytest.mark.wall_clock
def test_the_fake_clock_reaches_the_process(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FAKETIME", "+3y")
    monkeypatch.setenv("LD_PRELOAD", "/usr/lib/faketime/libfaketime.so.1")
    monkeypatch.setenv("SIGNAALPUNT_DATABASE_URL", "sqlite+aiosqlite:///elsewhere.db")
    env = process_env({"SIGNAALPUNT_HTTP_PORT": "8081"})
    assert env["FAKETIME"] == "+3y"
    assert env["LD_PRELOAD"] == "/usr/lib/faketime/libfaketime.so.1"
    assert "SIGNAALPUNT_DATABASE_URL" not in env  # only what the test gives
    inherited = process_env({}, inherit=True)
    assert inherited["FAKETIME"] == "+3y"
    assert "SIGNAALPUNT_DATABASE_URL" not in inherited
