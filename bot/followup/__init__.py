"""The follow-up in the shell: the check-in sweep and the morning digest, reporters' answers
to check-ins and questions, the office hours, the nightly retention job, and the scheduler
(APScheduler) that runs them.

May import: the foundations of the shell, ``bot.outbox.worker``, ``core`` and ``storage``.
"""
