"""The durable outbox: the kinds of outbound message (``kinds``), who receives them
(``targets``), the composers that write each kind's text at send time from the signal as it
is then (``loket``: the staff messages; ``followup``: reminders, escalations, the digest,
check-ins and questions), and the worker that delivers them at least once, with backoff.

May import: the foundations of the shell, ``core`` and ``storage``. It is the lowest of the
services: the others queue into it, it imports none of them.
"""
