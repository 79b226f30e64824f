"""A resident in the web chat over plain HTTP (the forms as a browser without JavaScript
posts them), and a staff member's live stream read as events: for the tests and benchmarks
that drive real service processes."""

from __future__ import annotations

import json
import re
from collections.abc import AsyncIterator, Sequence

import httpx

NONCE = re.compile(r'name="nonce" value="([^"]+)"')
REFERENCE = re.compile(r"SP-\d{4}-\d{4,9}")


class ChatResident:
    """One web chat (its cookie in the client)."""

    def __init__(self, base_url: str) -> None:
        self.client = httpx.AsyncClient(
            base_url=base_url,
            follow_redirects=True,
            timeout=30,
            headers={"Accept-Language": "nl"},
        )
        self._nonce = ""

    async def open(self) -> None:
        self._read(await self.client.get("/chat"))

    async def press(self, prompt: str, choice: str) -> str:
        """Press ``choice`` of the question ``prompt``; the page that follows."""
        answer = await self.client.post(
            "/chat", data={"nonce": self._nonce, "prompt": prompt, "choice": choice}
        )
        self._read(answer)
        return answer.text

    async def answer(self, steps: Sequence[tuple[str, str]]) -> None:
        for prompt, choice in steps:
            await self.press(prompt, choice)

    def _read(self, page: httpx.Response) -> None:
        page.raise_for_status()
        found = NONCE.search(page.text)
        assert found is not None, "a chat page without a form"
        self._nonce = found.group(1)

    async def close(self) -> None:
        await self.client.aclose()


def sent_reference(page: str) -> str:
    """The reference the chat gives after "send" (the newest one on the page)."""
    found = REFERENCE.findall(page)
    assert found, "no reference on the page"
    return str(found[-1])


async def live_events(stream: httpx.Response) -> AsyncIterator[dict[str, object]]:
    """The ``signals`` events' data of an open ``/loket/live`` stream, as they come."""
    data = ""
    async for line in stream.aiter_lines():
        if line.startswith("data: "):
            data = line.removeprefix("data: ")
        elif not line and data:
            yield json.loads(data)
            data = ""
