"""The mail settings as part of the service's settings: a wrong or missing one is one line
at start, naming the variable and never repeating the URL's password."""

from __future__ import annotations

import pytest

from bot.settings import Settings
from tests.support.settings_problems import settings_problems


def test_mail_needs_the_public_url_for_its_links(monkeypatch: pytest.MonkeyPatch) -> None:
    problems = settings_problems(
        Settings, monkeypatch, smtp_url="smtp://u:geheim@mail.test:587", mail_from="a@b.nl"
    )
    assert len(problems) == 1
    assert "SIGNAALPUNT_PUBLIC_URL is required with SIGNAALPUNT_SMTP_URL" in problems[0]
    assert "geheim" not in problems[0]


def test_a_wrong_url_is_one_line_without_the_password(monkeypatch: pytest.MonkeyPatch) -> None:
    [problem] = settings_problems(
        Settings, monkeypatch, smtp_url="ftp://u:geheim@mail.test", public_url="https://x.nl"
    )
    assert problem.startswith("SIGNAALPUNT_SMTP_URL:")
    assert "geheim" not in problem
    assert "\n" not in problem


def test_complete_mail_settings_are_accepted(monkeypatch: pytest.MonkeyPatch) -> None:
    assert (
        settings_problems(
            Settings,
            monkeypatch,
            smtp_url="smtps://u:p@mail.test",
            mail_from="Signaalpunt <sp@gemeente.nl>",
            loket_email="loket@gemeente.nl",
            public_url="https://signaalpunt.gemeente.nl",
        )
        == []
    )
