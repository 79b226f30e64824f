"""Starting the terminal chat again greeted a returning reporter with "Your message is
empty": the chat opened with an empty text, taken as an answer to the question on screen.
It now opens with ``Reopen``: the reporter sees where they were, nothing counted."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.i18n import load_catalogs
from core.dialog import messages as m
from core.dialog.flows import FLOWS
from tests.support.console_process import ConsoleProcess

pytestmark = pytest.mark.wall_clock


def test_a_returning_reporter_sees_the_question_not_a_complaint(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'signaalpunt.db'}"
    first = ConsoleProcess(url, "--as", "kassa-1")
    first.read_until_prompt()
    first.say("1")  # "I am worried about someone": the first question is on screen
    first.finish()
    again = ConsoleProcess(url, "--as", "kassa-1")
    greeting = again.read_until_prompt()
    again.finish()
    nl = load_catalogs()["nl"]
    assert nl.gettext(m.EMPTY) not in greeting
    role = FLOWS["report_other"].step("role").prompt
    assert nl.gettext(role) in greeting  # the question on screen, asked again
