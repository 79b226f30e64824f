"""The HTTP side shared by every route: one FastAPI app and its uvicorn server (``http``),
the health endpoints, the pages (Jinja2 templates, static files, security headers and form
tokens), the error pages, and per-client counts for the limits.

May import: the foundations of the shell (``bot.settings`` and the other top-level modules
but ``bot.bootstrap.build``), ``core.text``, ``storage`` (the readiness probe and the keyring), and
fastapi, starlette, uvicorn and jinja2. Never a channel, the dashboard or a service: they
add their routes to it.
"""
