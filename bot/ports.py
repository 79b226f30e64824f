"""The shell's ports: what the conversation service and the outbox worker talk to."""

from __future__ import annotations

from typing import Protocol


class LoketSink(Protocol):
    """Where loket notifications go (terminal, Telegram group, ...)."""

    async def send(self, reference: str, text: str) -> None: ...


class DeliveryError(Exception):
    """A notification could not be delivered; ``permanent`` ones are not retried."""

    def __init__(self, reason: str, *, permanent: bool = False) -> None:
        super().__init__(reason)
        self.permanent = permanent
