"""The live dashboard's stream at ``/loket/live``: Server-Sent Events saying which signals
changed (references only: the page fetches its own rows over its authenticated GET, with its
filter and the staff member's access), with heartbeat comments so proxies keep it open.

Behind the login like every page; a stream ends when its session does, when the service
stops, or when the browser goes away. The pages work without it (``static/live.js`` is an
enhancement).
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response, StreamingResponse

from .auth import WebStaff
from .context import DashboardContext
from .live_feed import Batch, LiveFeed, Subscription, TooManyStreams

PATH = "/loket/live"
HEARTBEAT = 15.0  # seconds between comments on a quiet stream (proxies close idle ones at 60)
RETRY_MS = 5_000  # how soon a browser reconnects after the stream broke off
MAX_CURSOR = 10**15


def cursor_of(value: str | None) -> int | None:
    """A change cursor from a query or a ``Last-Event-ID`` header (digits 0-9 only)."""
    if value and value.isascii() and value.isdigit() and len(value) <= 15:
        return min(int(value), MAX_CURSOR)
    return None


def event_text(batch: Batch) -> str:
    """One Server-Sent Event: its id is the cursor a reconnecting browser sends back."""
    if batch.reset:
        data: dict[str, object] = {"reset": True}
    else:
        data = {
            "changed": sorted({c.reference for c in batch.changes}),
            "created": sorted({c.reference for c in batch.changes if c.created}),
        }
    return f"id: {batch.last_id}\nevent: signals\ndata: {json.dumps(data)}\n\n"


def merged(first: Batch, queue: asyncio.Queue[Batch | None]) -> Batch | None:
    """``first`` with whatever else already waits (one event, one fetch of the rows); None
    when the stream is to end."""
    batches = [first]
    while not queue.empty():
        more = queue.get_nowait()
        if more is None:
            return None
        batches.append(more)
    last = max(b.last_id for b in batches)
    if any(b.reset for b in batches):
        return Batch(last, reset=True)
    return Batch(last, tuple(c for b in batches for c in b.changes))


def router(web: DashboardContext, feed: LiveFeed) -> APIRouter:
    routes = APIRouter()

    async def events(request: Request, staff: WebStaff, stream: Subscription) -> AsyncIterator[str]:
        try:
            yield f"retry: {RETRY_MS}\n\n"
            while True:
                try:
                    first = await asyncio.wait_for(stream.queue.get(), HEARTBEAT)
                except TimeoutError:
                    if not await web.auth.still_signed_in(staff.token_hash):
                        return  # logged out or timed out: the next connect meets the login
                    yield ": keepalive\n\n"
                    continue
                batch = merged(first, stream.queue) if first is not None else None
                if batch is None:
                    return
                yield event_text(batch)
        finally:
            feed.unsubscribe(stream)

    @routes.get(PATH)
    async def live(request: Request, staff: WebStaff = Depends(web.auth.current_staff)) -> Response:
        after = cursor_of(request.headers.get("last-event-id")) or cursor_of(
            request.query_params.get("after")
        )
        try:
            stream = feed.subscribe(staff.record.id, after)
        except TooManyStreams:
            # EventSource does not retry a refusal: the page stays as it is, reloadable.
            return Response(status_code=429, headers={"Retry-After": "60"})
        return StreamingResponse(
            events(request, staff, stream),
            media_type="text/event-stream",
            headers={
                "Cache-Control": "no-store",
                "X-Accel-Buffering": "no",  # nginx: pass each event on at once
            },
        )

    return routes
