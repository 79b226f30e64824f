"""Loket staff: their accounts (invite codes, linking, dashboard passwords), the actions on
signals (the lifecycle checked on every press, the access history, the messages that
follow), and the partner organisations they administer.

May import: the foundations of the shell, ``bot.outbox.worker`` (to queue messages), ``core`` and
``storage``.
"""
