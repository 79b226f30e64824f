"""Rendering engine replies into text and labelled choices for one channel's reader."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from conversations.events import Reply
from conversations.matching import Catalog
from conversations.render import render, render_label
from conversations.text import Msg


@dataclass(frozen=True)
class RenderedChoice:
    id: str
    label: str
    selected: bool


@dataclass(frozen=True)
class RenderedReply:
    text: str
    prompt: str | None
    choices: tuple[RenderedChoice, ...]
    multi: bool
    language: str = "nl"


def render_texts(
    texts: tuple[Msg, ...], catalog: Catalog, language: str, separator: str = "\n\n"
) -> str:
    return separator.join(render(text, catalog, language) for text in texts)


def render_reply(reply: Reply, catalogs: Mapping[str, Catalog], language: str) -> RenderedReply:
    catalog = catalogs[language]
    return RenderedReply(
        text=render_texts(reply.texts, catalog, language),
        prompt=reply.prompt,
        choices=tuple(
            RenderedChoice(c.id, render_label(c.label, catalog, language), c.selected)
            for c in reply.choices
        ),
        multi=reply.multi,
        language=language,
    )
