"""SIGNAALPUNT_SMTP_URL, _MAIL_FROM and _LOKET_EMAIL: parsed, or one line naming the setting."""

from __future__ import annotations

import pytest
from pydantic_settings import BaseSettings, SettingsConfigDict

from bot.mail.settings import MailSettings, SmtpServer, parse_mailbox, parse_smtp_url
from tests.support.settings_problems import settings_problems


class Settings(BaseSettings, MailSettings):
    """How bot.settings.Settings takes the mail settings in."""

    model_config = SettingsConfigDict(env_prefix="SIGNAALPUNT_", env_file=None, extra="ignore")


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("smtp://mail.example.nl", SmtpServer("mail.example.nl", 587, "starttls_if_offered")),
        ("smtp://mail.example.nl:25", SmtpServer("mail.example.nl", 25, "starttls_if_offered")),
        ("SMTP+STARTTLS://mail.example.nl", SmtpServer("mail.example.nl", 587, "starttls")),
        ("smtps://mail.example.nl", SmtpServer("mail.example.nl", 465, "tls")),
        (
            "smtps://loket%40gemeente.nl:p%40ss%3Aw%C3%B6rd@[::1]:2465/",
            SmtpServer("::1", 2465, "tls", "loket@gemeente.nl", "p@ss:wörd"),
        ),
        (
            "  smtp://u:@127.0.0.1:2525 ",
            SmtpServer("127.0.0.1", 2525, "starttls_if_offered", "u", ""),
        ),
    ],
)
def test_smtp_urls(url: str, expected: SmtpServer) -> None:
    server = parse_smtp_url(url)
    assert server == expected
    assert server.password == expected.password
    assert "password" not in repr(server)


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("mail.example.nl:587", "starts with smtp://"),
        ("http://secret:hunter22@mail.example.nl", "starts with smtp://"),
        ("smtp://secret:hunter22@mail.example.nl:99999", "port"),
        ("smtp://secret:hunter22@mail.example.nl:0", "port"),
        ("smtp://secret:hunter22@mail.example.nl:abc", "port"),
        ("smtp://secret:hunter22@", "no host"),
        ("smtp://secret:hunter22@mail.example.nl/inbox", "no path"),
        ("smtp://secret:hunter22@mail.example.nl?x=1", "no path"),
        ("smtp://onlyauser@mail.example.nl", "a user and a password"),
    ],
)
def test_wrong_smtp_urls_never_repeat_the_password(url: str, message: str) -> None:
    with pytest.raises(ValueError, match=message) as raised:
        parse_smtp_url(url)
    text = str(raised.value)
    assert "hunter22" not in text
    assert "\n" not in text


def test_mailboxes() -> None:
    assert parse_mailbox("Signaalpunt Terneuzen <sp@terneuzen.nl>", display_name=True) == (
        "Signaalpunt Terneuzen <sp@terneuzen.nl>"
    )
    assert parse_mailbox(" loket@terneuzen.nl ", display_name=False) == "loket@terneuzen.nl"
    for wrong in ("loket", "loket@", "a b@c.nl", "x@y.nl\r\nBcc: z@w.nl", "lökét@terneuzen.nl"):
        with pytest.raises(ValueError, match=r"e-mail address|one line"):
            parse_mailbox(wrong, display_name=True)
    with pytest.raises(ValueError, match="no name"):
        parse_mailbox("Loket <loket@terneuzen.nl>", display_name=False)


def problems(monkeypatch: pytest.MonkeyPatch, **env: str) -> list[str]:
    return settings_problems(Settings, monkeypatch, **env)


def test_settings_read_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    assert problems(monkeypatch) == []
    assert Settings().smtp_server() is None
    assert (
        problems(
            monkeypatch,
            smtp_url="smtp+starttls://sp%40terneuzen.nl:geheim@mail.terneuzen.nl",
            mail_from="Signaalpunt <sp@terneuzen.nl>",
            loket_email="loket@terneuzen.nl",
        )
        == []
    )
    settings = Settings()
    assert settings.smtp_server() == SmtpServer(
        "mail.terneuzen.nl", 587, "starttls", "sp@terneuzen.nl", "geheim"
    )
    assert settings.mail_from == "Signaalpunt <sp@terneuzen.nl>"
    assert settings.loket_email == "loket@terneuzen.nl"
    assert "geheim" not in repr(settings)


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        (
            {"smtp_url": "smtp://u:geheim@mail.nl:70000", "mail_from": "sp@t.nl"},
            "SIGNAALPUNT_SMTP_URL: the port is a number from 1 to 65535",
        ),
        (
            {"smtp_url": "smtp://mail.nl"},
            "SIGNAALPUNT_MAIL_FROM is required with SIGNAALPUNT_SMTP_URL",
        ),
        (
            {"smtp_url": "smtp://mail.nl", "mail_from": "Signaalpunt"},
            "SIGNAALPUNT_MAIL_FROM: is an e-mail address",
        ),
        (
            {"smtp_url": "smtp://mail.nl", "mail_from": "sp@t.nl", "loket_email": "L <l@t.nl>"},
            "SIGNAALPUNT_LOKET_EMAIL: is an address only",
        ),
        ({"loket_email": "loket@t.nl"}, "SIGNAALPUNT_LOKET_EMAIL needs SIGNAALPUNT_SMTP_URL"),
    ],
)
def test_a_wrong_setting_is_one_line_naming_it(
    monkeypatch: pytest.MonkeyPatch, env: dict[str, str], expected: str
) -> None:
    [problem] = problems(monkeypatch, **env)
    assert problem.startswith(expected)
    assert "\n" not in problem
    assert "geheim" not in problem
