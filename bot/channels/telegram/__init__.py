"""The Telegram channel: python-telegram-bot as the typed Bot API client, our engine for the
conversation (no ConversationHandler, no pickle persistence)."""
