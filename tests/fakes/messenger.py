"""The chat apps behind the outbox, recorded: a messenger that keeps what it is given and
can fail on demand, as the real messengers do (``DeliveryError``, or a dropped connection).

``channels`` are the channels it stands for: None for the staff channel (Telegram's loket
group in production), a name for a reporters' channel. A message for another channel is
refused as the service's routing refuses it (no such channel is running). By default it
stands for every channel: the outbox worker's only messenger.
"""

from __future__ import annotations

from collections.abc import Collection

from bot.ports import DeliveryError, Outgoing

EVERY_CHANNEL = None


class RecordingMessenger:
    def __init__(self, channels: Collection[str | None] | None = EVERY_CHANNEL) -> None:
        self._channels = channels
        self.messages: list[Outgoing] = []
        self.sent: list[tuple[str, str]] = []  # (reference, text) of each, in order
        self.failures: list[DeliveryError | OSError] = []  # raised by the next deliveries

    async def deliver(self, message: Outgoing) -> str:
        if self._channels is not None and message.channel not in self._channels:
            raise DeliveryError(f"no {message.channel} channel is running", permanent=True)
        if self.failures:
            raise self.failures.pop(0)
        self.sent.append((message.reference or "", message.text))
        self.messages.append(message)
        # Where it landed: an edit stays where the message it edits is, as in a chat app.
        return message.edit or f"{message.target}:{len(self.messages)}"


def staff_channel() -> RecordingMessenger:
    """The staff channel alone (what the service's routing hands staff messages to)."""
    return RecordingMessenger(channels=(None,))
