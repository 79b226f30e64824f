"""Fakes of what is outside this machine, at its network boundary, so the real client
libraries run against them: the Telegram Bot API and Meta's Graph API (both on one small
HTTP server, ``http_server``), WhatsApp's webhook bodies, and the recording messenger that
stands for the chat apps behind the outbox. Each enforces what the real service enforces,
from the provider's documentation."""
