"""The imperative shell: everything that talks to the outside world around the pure core.

Layers, lowest first; a module imports only from its own layer or below, never upward:

1. foundations: the top-level modules (``settings``, ``i18n``, ``logs``, ``ports``,
   ``rendering``, ``buttons``) and the self-contained ``web`` (the HTTP server and pages),
   ``mail``, ``sso`` and ``voice``;
2. services: ``outbox`` (lowest: the others queue into it), then ``reporting``, ``staff``
   and ``followup``;
3. ``app``: the ``App`` value holding every service;
4. the faces: ``channels`` (Telegram, WhatsApp, the web chat, the terminal) and
   ``dashboard``;
5. ``bootstrap``: builds the ``App`` and runs the channels, for every mode;
6. ``cli``: the ``signaalpunt`` command.

May import: ``core`` and ``storage``, and any library. ``docs/architecture.md`` draws the
tree; ``tests/architecture`` keeps it and these rules true.
"""
