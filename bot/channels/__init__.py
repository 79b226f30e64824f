"""The channels residents (and, on Telegram, staff) write on: ``telegram``, ``whatsapp``,
``webchat`` and ``console``. Each turns what arrives into engine events and replies into
messages, and delivers outbox messages as its ``Messenger``; each is assembled by its
``channel.py`` into a ``Channel`` (``channel``: what it hands the running service).

May import: ``bot.bootstrap.build``, the services, the foundations of the shell, ``core`` and
``storage``. A channel never imports another channel, the dashboard or ``bot.bootstrap``.
"""
