"""The WhatsApp webhook routes: Meta's verification handshake (GET) and deliveries (POST),
each POST verified by its signature over the raw body before anything is parsed."""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import re
from collections.abc import Callable
from datetime import datetime

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, PlainTextResponse, Response
from sqlalchemy.exc import SQLAlchemyError

from bot.web.http import limited_body

from .inbound import parse_webhook
from .updates import WhatsAppUpdates

log = logging.getLogger(__name__)

PATH = "/whatsapp/webhook"
SIGNATURE_HEADER = "X-Hub-Signature-256"
MAX_BODY = 3_000_000  # Meta batches at most a few hundred kB; refuse anything far beyond
MAX_CHALLENGE = 256
# What Meta sends: "sha256=" and the HMAC-SHA256 in lower-case hex.
SIGNATURE_FORM = re.compile(r"sha256=[0-9a-f]{64}")


def signature(body: bytes, app_secret: bytes) -> str:
    """``X-Hub-Signature-256`` as Meta computes it: HMAC-SHA256 of the raw body."""
    return "sha256=" + hmac.new(app_secret, body, hashlib.sha256).hexdigest()


def signature_ok(body: bytes, given: str | None, app_secret: bytes) -> bool:
    if not given:
        return False
    expected = signature(body, app_secret).encode()
    return hmac.compare_digest(given.encode("utf-8", "replace"), expected)


def whatsapp_router(
    updates: WhatsAppUpdates,
    *,
    phone_id: str,
    app_secret: str,
    verify_token: str,
    clock: Callable[[], datetime],
    on_received: Callable[[], None],
    on_queued: Callable[[], None],
) -> APIRouter:
    router = APIRouter()
    secret = app_secret.encode()
    token = verify_token.encode()

    @router.get(PATH)
    async def whatsapp_verify(request: Request) -> Response:
        query = request.query_params
        given = query.get("hub.verify_token", "").encode("utf-8", "replace")
        challenge = query.get("hub.challenge", "")
        if (
            query.get("hub.mode") == "subscribe"
            and hmac.compare_digest(given, token)
            and 0 < len(challenge) <= MAX_CHALLENGE
        ):
            return PlainTextResponse(challenge)
        return PlainTextResponse("forbidden", status_code=403)

    @router.post(PATH)
    async def whatsapp_webhook(request: Request) -> Response:
        given = request.headers.get(SIGNATURE_HEADER)
        if given is None or not SIGNATURE_FORM.fullmatch(given):
            # Refused before a byte of the body is read: without a signature that could be
            # right, a caller does not get to make us hold 3 MB.
            log.warning("refused a WhatsApp webhook call with a missing or malformed signature")
            return JSONResponse({"ok": False}, status_code=401)
        body = await limited_body(request, MAX_BODY)
        if body is None:
            return JSONResponse({"ok": False}, status_code=413)
        if not signature_ok(body, given, secret):
            log.warning("refused a WhatsApp webhook call with a bad signature")
            return JSONResponse({"ok": False}, status_code=401)
        try:
            data = json.loads(body)
        except (ValueError, RecursionError):
            return JSONResponse({"ok": False}, status_code=400)
        now = clock()
        messages, statuses = parse_webhook(data, phone_id, now)
        try:
            new, queued = await updates.receive(messages, statuses, now)
        except SQLAlchemyError:
            # Nothing was kept: Meta delivers the call again later.
            log.exception("keeping a WhatsApp webhook call failed")
            return JSONResponse({"ok": False}, status_code=503)
        if new:
            on_received()
        if queued:
            on_queued()
        return JSONResponse({"ok": True})

    return router
