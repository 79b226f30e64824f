"""The WhatsApp channel (Cloud API through pywa, our own webhook routes): residents report and
answer check-ins; staff are never on WhatsApp.

May import: as every channel (``bot.channels``), and pywa and httpx.
"""
