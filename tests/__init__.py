"""The tests, by kind: ``unit`` (the core and pure parts of the shell), ``integration`` (storage
and services on SQLite and PostgreSQL), ``e2e`` (real processes and channels against the
fakes, pages in chromium), ``mail`` and ``sso`` (against real servers on loopback),
``deployment``, ``regressions`` (one file per reported bug) and ``architecture`` (the
layout and the layers). Shared code is in ``support``, fakes of outside services in
``fakes``."""
