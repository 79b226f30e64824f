"""E-mail to staff (and later to web reporters who asked for it): settings, composing and
sending.

- ``settings``: ``SIGNAALPUNT_SMTP_URL``, ``_MAIL_FROM`` and ``_LOKET_EMAIL`` parsed into
  values (``MailSettings`` is a mixin for ``bot.settings.Settings``).
- ``message``: a multipart/alternative mail (plain text and HTML, UTF-8) from plain values,
  with stable ``Message-ID``s and threading headers per signal.
- ``notices``: the Dutch texts of the staff notices, composed from what the Telegram group
  card shows (never personal data) and a link to the dashboard.
- ``sender``: SMTP over aiosmtplib; every server answer becomes a ``MailResult`` (sent,
  temporary, permanent) that the outbox acts on. It never raises for a server's answer.

May import: the standard library, aiosmtplib, jinja2 and pydantic. Nothing else of the
project: what a mail needs (texts, the catalog's gettext, the time) is passed in.
"""
