"""Building and running the application, for every mode of the ``signaalpunt`` command:
``build`` makes the ``App`` from the settings (the database migrated, the keyring, every
service), ``serving`` runs channels side by side (one HTTP server, one outbox worker, one
scheduler, graceful shutdown), ``run`` chooses the channels of ``run`` and ``chat``,
``web`` assembles the web chat with the dashboard, ``telegram_alone`` serves Telegram on
its own (tests and benchmarks).

May import: anything of the shell but ``bot.cli.main``; nothing imports it but ``bot.cli.main``
(and the tests).
"""
