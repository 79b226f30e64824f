"""Logins between ``begin`` and ``complete``: each state is taken at most once.

A pending login holds what the callback must match (nonce, PKCE verifier) and a hash of a
secret that only the browser that began it has (its cookie), so a state is refused when
it comes back a second time, too late, or in another browser. With several instances the
store must be shared (a table, ``take`` as ``DELETE … RETURNING``); ``MemoryPendingLogins``
serves one process.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol


@dataclass(frozen=True)
class PendingLogin:
    state: str
    nonce: str
    code_verifier: str
    browser_hash: str
    return_to: str
    expires_at: datetime


class PendingLogins(Protocol):
    async def put(self, login: PendingLogin, now: datetime) -> None: ...

    async def take(self, state: str) -> PendingLogin | None:
        """The login of ``state``, removed: a second take of it gives None."""
        ...


def browser_hash(binding: str) -> str:
    return hashlib.sha256(binding.encode()).hexdigest()


def same_browser(login: PendingLogin, binding: str | None) -> bool:
    return binding is not None and hmac.compare_digest(login.browser_hash, browser_hash(binding))


class MemoryPendingLogins:
    """One process's pending logins; expired ones are dropped as new ones arrive."""

    def __init__(self, limit: int = 10_000) -> None:
        self._logins: dict[str, PendingLogin] = {}
        self._limit = limit

    async def put(self, login: PendingLogin, now: datetime) -> None:
        for state in [s for s, p in self._logins.items() if p.expires_at <= now]:
            del self._logins[state]
        if len(self._logins) >= self._limit:  # many abandoned logins: the oldest go first
            del self._logins[next(iter(self._logins))]
        self._logins[login.state] = login

    async def take(self, state: str) -> PendingLogin | None:
        return self._logins.pop(state, None)
