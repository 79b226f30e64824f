"""The ``signaalpunt`` command (``main``) and its administrative subcommands: staff accounts
and partners (``staff``, ``staff_web``) and the encryption keys (``keys``).

May import: anything of the shell (it is the top); nothing imports it.
"""
