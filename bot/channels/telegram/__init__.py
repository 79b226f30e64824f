"""The Telegram channel: python-telegram-bot as the typed Bot API client, our engine for the
conversation (no ConversationHandler, no pickle persistence); staff act on the loket
group's cards and in private chats.

May import: as every channel (``bot.channels``), and python-telegram-bot.
"""
