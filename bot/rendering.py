"""Rendering engine replies into text and labelled choices for one channel's reader."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace

from core.dialog.events import Reply
from core.text.catalog import Catalog
from core.text.msgids import Msg
from core.text.render import render, render_label


@dataclass(frozen=True)
class RenderedChoice:
    id: str
    label: str
    selected: bool
    short: str = ""  # where room is scarce (WhatsApp), when it differs from ``label``


@dataclass(frozen=True)
class RenderedReply:
    text: str
    prompt: str | None
    choices: tuple[RenderedChoice, ...]
    multi: bool
    language: str = "nl"
    asks_phone: bool = False  # a phone number is asked: a page shows a telephone field
    share_phone: str = ""  # the label of a one-tap "share my number" button (Telegram)


def render_texts(
    texts: tuple[Msg, ...],
    catalog: Catalog,
    language: str,
    separator: str = "\n\n",
    variants: Mapping[str, str] | None = None,
) -> str:
    """The texts, one after the other; ``variants``: a channel's own text for a msgid
    (``messages.CHANNEL_TEXTS``), with the same parameters."""
    if variants:
        texts = tuple(replace(t, msgid=variants.get(t.msgid, t.msgid)) for t in texts)
    return separator.join(render(text, catalog, language) for text in texts)


def render_reply(
    reply: Reply,
    catalogs: Mapping[str, Catalog],
    language: str,
    variants: Mapping[str, str] | None = None,
) -> RenderedReply:
    catalog = catalogs[language]
    return RenderedReply(
        text=render_texts(reply.texts, catalog, language, variants=variants),
        prompt=reply.prompt,
        choices=tuple(
            RenderedChoice(
                c.id,
                render_label(c.label, catalog, language),
                c.selected,
                render_label(c.short, catalog, language) if c.short else "",
            )
            for c in reply.choices
        ),
        multi=reply.multi,
        language=language,
        asks_phone=reply.asks_phone,
        share_phone=render(reply.share_phone, catalog, language) if reply.share_phone else "",
    )
