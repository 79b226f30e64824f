"""The functional core: what Signaalpunt knows, as pure values and functions.

Holds the reporter's dialog, the signal lifecycle, the follow-up rules, the monitoring
figures and the texts (as msgids), in one subpackage each; ``diagram`` draws the flows and
the lifecycle from their data.

May import: the standard library, babel and holidays, and itself. Never the shell
(``bot``), storage, or any I/O library (telegram, pywa, sqlalchemy, fastapi, starlette,
apscheduler, httpx, jinja2): time and randomness are arguments.
"""
