"""Composing a staff notice: headers, both parts, threading, escaping, nothing personal."""

from __future__ import annotations

from email import message_from_bytes, policy
from email.message import EmailMessage
from email.utils import parsedate_to_datetime

import pytest

from bot.mail.message import Link, MailRenderer, Threading, message_id, signal_threading
from bot.mail.notices import Translate, digest, signal_notice
from tests.support.mails import DOMAIN, FROM, LINK, LOKET, SENT_AT, notice, signal_mail


def on_the_wire(message: EmailMessage) -> EmailMessage:
    """The message as a receiving server parses it."""
    raw = message.as_bytes(policy=policy.SMTP)
    raw.decode("ascii")  # 7-bit clean: quoted-printable bodies, encoded headers
    parsed = message_from_bytes(raw, policy=policy.default)
    assert isinstance(parsed, EmailMessage)
    return parsed


def parts(message: EmailMessage) -> tuple[str, str]:
    assert message.get_content_type() == "multipart/alternative"
    plain, html = message.iter_parts()
    assert isinstance(plain, EmailMessage)
    assert isinstance(html, EmailMessage)
    # The richest part last: mail programs show the last one they can.
    assert plain.get_content_type() == "text/plain"
    assert html.get_content_type() == "text/html"
    assert plain.get_content_charset() == html.get_content_charset() == "utf-8"
    # Lines end in CRLF on the wire; compare text by lines.
    return str(plain.get_content()).replace("\r\n", "\n"), str(html.get_content())


def test_the_first_mail_of_a_signal(dutch: Translate) -> None:
    mail = on_the_wire(signal_mail(dutch))
    assert mail["From"] == FROM
    assert mail["To"] == LOKET
    assert mail["Subject"] == "Signaal SP-2026-0042"
    assert parsedate_to_datetime(mail["Date"]) == SENT_AT
    assert mail["Message-ID"] == "<signaal.sp-2026-0042@terneuzen.test>"
    assert mail["In-Reply-To"] is None
    assert mail["References"] is None
    assert mail["Content-Language"] == "nl"
    assert mail["Auto-Submitted"] == "auto-generated"
    assert mail["Importance"] == "high"  # urgent
    plain, html = parts(mail)
    for text in (plain, html):
        assert "Nieuw signaal" in text
        assert "Spoed" in text
        assert "Meldingsnummer" in text
        assert "SP-2026-0042" in text
        assert "Wijk" in text
        assert "Sas van Gent" in text
        assert "Postcodegebied" in text
        assert "4551" in text
        assert "Uiterlijk" in text
        assert "vandaag 11:15" in text
        assert "Deze mail bevat geen persoonsgegevens." in text
        assert "omdat dit adres de mailbox van het loket is" in text
    assert f"Open het signaal in het dashboard:\n{LINK}" in plain
    assert f'<a href="{LINK}"' in html
    assert '<html lang="nl"' in html


def test_later_mails_thread_under_the_first_and_keep_their_id_on_retry(dutch: Translate) -> None:
    reminder = on_the_wire(signal_mail(dutch, "17", kind="reminder", urgent=False))
    again = on_the_wire(signal_mail(dutch, "17", kind="reminder", urgent=False))
    root = "<signaal.sp-2026-0042@terneuzen.test>"
    assert (
        reminder["Message-ID"] == again["Message-ID"] == "<signaal.sp-2026-0042.17@terneuzen.test>"
    )
    assert reminder["In-Reply-To"] == root
    assert reminder["References"] == root
    # One subject per signal (Outlook and Gmail group by it too).
    assert reminder["Subject"] == "Re: Signaal SP-2026-0042"
    assert reminder["Importance"] is None
    plain, html = parts(reminder)
    assert "Herinnering" in plain
    assert "Herinnering" in html
    assert "Spoed" not in plain


def test_texts_from_the_caller_are_escaped_in_html_and_kept_in_plain_text(
    dutch: Translate,
) -> None:
    hostile = '<script>alert("x")</script> & <b>Zuid</b>'
    mail = on_the_wire(signal_mail(dutch, "3", neighbourhood=hostile, lines=("Rood & <i>wit</i>",)))
    plain, html = parts(mail)
    assert hostile in plain
    assert "Rood & <i>wit</i>" in plain
    assert "<script>" not in html
    assert "<b>Zuid" not in html
    assert "<i>wit" not in html
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt; &amp; &lt;b&gt;Zuid&lt;/b&gt;" in html
    assert "Rood &amp; &lt;i&gt;wit&lt;/i&gt;" in html


def test_non_ascii_travels_as_utf8(dutch: Translate) -> None:
    mail = on_the_wire(signal_mail(dutch, "4", neighbourhood="Sluiskil – Oost (één)"))
    plain, html = parts(mail)
    assert "Sluiskil – Oost (één)" in plain
    assert "Sluiskil – Oost (één)" in html


def test_a_postcode_never_travels_beyond_its_four_digits(dutch: Translate) -> None:
    plain, html = parts(on_the_wire(signal_mail(dutch, "5", postcode_area="4551 AB")))
    assert "4551" in plain
    assert "4551 AB" not in plain
    assert "4551 AB" not in html
    with pytest.raises(ValueError, match="four digits"):
        signal_notice(notice(postcode_area="45"), dutch)


def test_links_are_absolute_and_ids_are_made_of_safe_parts() -> None:
    with pytest.raises(ValueError, match="absolute"):
        Link("/loket/signalen/1", "Open")
    with pytest.raises(ValueError, match="absolute"):
        Link('https://x.test/" onclick="x', "Open")
    with pytest.raises(ValueError, match="Message-ID"):
        signal_threading(DOMAIN, "SP-2026-0042\r\nBcc: x@y.test", "1")
    with pytest.raises(ValueError, match="Message-ID"):
        message_id("evil>domain", "x")


def test_the_morning_digest(dutch: Translate) -> None:
    content = digest(
        "maandag 2 maart 2026",
        ["SP-2026-0042: Nieuw, oppakken vóór 2 maart 11:15"],
        "https://signaalpunt.terneuzen.test/loket/",
        "staff_choice",
        dutch,
    )
    mail = on_the_wire(
        MailRenderer().render(
            content,
            sender=FROM,
            recipient="anna@terneuzen.test",
            threading=Threading(message_id(DOMAIN, "overzicht", "2026-03-02")),
            now=SENT_AT,
        )
    )
    assert mail["Subject"] == "Signaalpunt: overzicht van maandag 2 maart 2026"
    assert mail["Message-ID"] == "<overzicht.2026-03-02@terneuzen.test>"
    plain, html = parts(mail)
    assert "SP-2026-0042: Nieuw, oppakken vóór 2 maart 11:15" in plain
    assert "Open het dashboard" in html
    assert "omdat je in Signaalpunt hebt gekozen voor berichten per e-mail" in plain


def test_naive_times_are_refused(dutch: Translate) -> None:
    with pytest.raises(ValueError, match="aware"):
        MailRenderer().render(
            signal_notice(notice(), dutch),
            sender=FROM,
            recipient=LOKET,
            threading=signal_threading(DOMAIN, "SP-2026-0042", None),
            now=SENT_AT.replace(tzinfo=None),
        )


def test_mime_version_once_at_the_top(dutch: Translate) -> None:
    mail = on_the_wire(signal_mail(dutch))
    assert mail["MIME-Version"] == "1.0"
    assert all(part["MIME-Version"] is None for part in mail.iter_parts())
