"""The functional core: what Signaalpunt knows, as pure values and functions.

Holds the reporter's dialog, the signal lifecycle, the follow-up rules, the monitoring
figures and the texts (as msgids), in one subpackage each (lowest first: ``text``,
``dialog``, ``lifecycle``, ``followup``, ``monitoring``; each imports only those before
it). Above them: ``diagram`` draws the flows and the lifecycle from their data, and
``channel_texts`` picks a channel's own wording of a dialog or follow-up text.

May import: the standard library, babel and holidays, and itself. Never the shell
(``bot``), storage, or any I/O library (telegram, pywa, sqlalchemy, fastapi, starlette,
apscheduler, httpx, jinja2): time and randomness are arguments.
"""
