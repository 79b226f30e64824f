"""The webhook route: Telegram POSTs updates here with the secret token we registered."""

from __future__ import annotations

import hmac
import json
import logging

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from telegram import Update
from telegram.ext import ExtBot

from bot.web.http import limited_body

from .updates import TelegramUpdates

log = logging.getLogger(__name__)

PATH = "/telegram/webhook"
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
MAX_BODY = 1_000_000  # a real update is a few kB; refuse anything that is not one


def telegram_router(bot: ExtBot[int], updates: TelegramUpdates, secret: str) -> APIRouter:
    router = APIRouter()
    expected = secret.encode()

    @router.post(PATH)
    async def telegram_webhook(request: Request) -> JSONResponse:
        given = request.headers.get(SECRET_HEADER, "").encode()
        if not hmac.compare_digest(given, expected):
            return JSONResponse({"ok": False}, status_code=401)
        body = await limited_body(request, MAX_BODY)
        if body is None:
            return JSONResponse({"ok": False}, status_code=413)
        try:
            data = json.loads(body)
            if not isinstance(data, dict) or type(data.get("update_id")) is not int:
                # Without its number an update cannot be recorded, so not handled once.
                raise ValueError("an update is a JSON object with an integer update_id")
            # PTB assumes Telegram's shapes: a list where it expects an object, or a date
            # beyond the years a datetime holds, raises whatever it happens to raise.
            update = Update.de_json(data, bot)
        except Exception:
            log.warning("refused a malformed webhook body")
            return JSONResponse({"ok": False}, status_code=400)
        # A method in the response is carried out by Telegram ("Making requests when
        # getting updates"): a reporter's press is answered there, one request less.
        reply = await updates.process(update)
        return JSONResponse(reply if reply is not None else {"ok": True})

    return router
