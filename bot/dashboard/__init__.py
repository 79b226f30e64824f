"""The loket dashboard at ``/loket/``: staff log in, list and act on signals, type in a
signal given by telephone, manage partners, and read the monitoring figures (``monitoring``).

May import: ``bot.bootstrap.build``, the services, the foundations of the shell (the shared web side
``bot.web`` included), ``core`` and ``storage``. Never a channel or ``bot.bootstrap``.
"""
