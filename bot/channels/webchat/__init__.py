"""The residents' web chat at ``/chat``: the same engine and flows as every channel, as a
page of plain forms that survives a reload and a restart; the transcript is its messenger.

May import: as every channel (``bot.channels``), and the shared web side (``bot.web``).
"""
