"""Reporting: the conversation service, which handles one reporter's message once (dedup,
load the state, advance the engine, store the signal, commit, render the replies), one at a
time per reporter and at most so many a minute.

May import: the foundations of the shell, ``bot.outbox.worker``, ``core`` and ``storage``. It knows
no channel: every channel calls it the same way.
"""
