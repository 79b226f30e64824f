"""What the tests share: drivers (``driver``: the engine as a reporter), harnesses that run
the real channels and processes on loopback (Telegram, WhatsApp, the web side, the terminal
chat, a PostgreSQL server, an SMTP server, the OpenID provider), the scripted reports
(``reports``), builders of stored data, and the readers of the deployment files.

Fakes of outside services live in ``tests.fakes``; tests live next to this package, by kind.
"""
