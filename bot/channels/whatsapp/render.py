"""Replies as WhatsApp messages, within WhatsApp's limits (which neither pywa nor the API
docs enforce for us): up to 3 short options become reply buttons, up to 10 a list, more a
numbered text. Long texts go first as plain messages so the interactive body fits.

Pure: texts in, message shapes out. ``check_limits`` states every limit once; tests run
it over every step in every language.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

MAX_TEXT = 4096
MAX_BODY = 1024  # the body of an interactive message
MAX_BUTTONS = 3
MAX_BUTTON_TITLE = 20
MAX_BUTTON_ID = 256
MAX_ROWS = 10
MAX_ROW_TITLE = 24
MAX_ROW_DESCRIPTION = 72
MAX_ROW_ID = 200
MAX_LIST_BUTTON = 20
MAX_SECTION_TITLE = 24
SELECTED_MARK = "✓ "


@dataclass(frozen=True)
class Option:
    """One choice as the reporter sees it; ``id`` comes back when it is picked. ``short``:
    the title where room is scarce, when it differs from ``label``."""

    id: str
    label: str
    selected: bool = False
    short: str = ""

    @property
    def shown(self) -> str:
        """The full label, marked when chosen."""
        return (SELECTED_MARK if self.selected else "") + self.label

    @property
    def title(self) -> str:
        """The button or row title: the short label when there is one, marked when chosen."""
        return (SELECTED_MARK if self.selected else "") + (self.short or self.label)

    @property
    def description(self) -> str | None:
        """What a list row shows under its title: the full label, when the title is short."""
        return self.label if self.short and self.short != self.label else None


@dataclass(frozen=True)
class WaText:
    body: str


@dataclass(frozen=True)
class WaButtons:
    body: str
    buttons: tuple[tuple[str, str], ...]  # (id, title)


@dataclass(frozen=True)
class WaRow:
    id: str
    title: str
    description: str | None = None


@dataclass(frozen=True)
class WaList:
    body: str
    button: str
    section: str
    rows: tuple[WaRow, ...]


WaMessage = WaText | WaButtons | WaList


@dataclass(frozen=True)
class ListTexts:
    """The translated list button and heading, and the hints for typed numbers."""

    button: str
    section: str
    type_number: str
    type_numbers: str


class LimitError(ValueError):
    """A message WhatsApp would refuse."""


def split(text: str, limit: int) -> list[str]:
    """Pieces of at most ``limit`` characters, cut at a paragraph, line or word if any."""
    pieces: list[str] = []
    rest = text.strip()
    while len(rest) > limit:
        head = rest[:limit]
        cut = limit
        for boundary in ("\n\n", "\n", " "):
            at = head.rfind(boundary)
            if at > limit // 2:
                cut = at
                break
        pieces.append(rest[:cut].rstrip())
        rest = rest[cut:].lstrip()
    if rest or not pieces:
        pieces.append(rest)
    return pieces


def _with_body(text: str) -> tuple[list[WaText], str]:
    """Plain messages for what does not fit, and the last part as the interactive body."""
    if len(text) <= MAX_BODY:
        return [], text
    head, sep, tail = text.rpartition("\n\n")
    if not sep or len(tail) > MAX_BODY or not head.strip():
        pieces = split(text, MAX_BODY)
        return [WaText(p) for p in pieces[:-1]], pieces[-1]
    return [WaText(p) for p in split(head, MAX_TEXT)], tail


def _buttons(options: Sequence[Option]) -> tuple[tuple[str, str], ...] | None:
    titles = [o.title for o in options]
    if (
        len(options) > MAX_BUTTONS
        or any(len(t) > MAX_BUTTON_TITLE for t in titles)
        or len(set(titles)) != len(titles)
    ):
        return None
    return tuple((o.id, o.title) for o in options)


def _rows(options: Sequence[Option]) -> tuple[WaRow, ...] | None:
    rows = tuple(WaRow(o.id, o.title, o.description) for o in options)
    if len(rows) > MAX_ROWS or any(
        len(r.title) > MAX_ROW_TITLE or len(r.description or "") > MAX_ROW_DESCRIPTION for r in rows
    ):
        return None
    return rows


def render(
    text: str, options: Sequence[Option], texts: ListTexts, *, multi: bool = False
) -> list[WaMessage]:
    """The messages that show ``text`` with ``options`` (buttons, a list or numbers)."""
    if not options:
        return [WaText(p) for p in split(text, MAX_TEXT)]
    buttons = _buttons(options)
    if buttons is not None:
        before, body = _with_body(text)
        return [*before, WaButtons(body, buttons)]
    rows = _rows(options)
    if rows is not None:
        before, body = _with_body(text)
        return [*before, WaList(body, texts.button, texts.section, rows)]
    numbered = "\n".join(f"{n}. {o.shown}" for n, o in enumerate(options, start=1))
    hint = texts.type_numbers if multi else texts.type_number
    return [WaText(p) for p in split(f"{text}\n\n{numbered}\n\n{hint}", MAX_TEXT)]


def check_limits(message: WaMessage) -> None:
    """Raise ``LimitError`` when WhatsApp would refuse ``message``."""
    problems: list[str] = []

    def need(ok: bool, problem: str) -> None:
        if not ok:
            problems.append(problem)

    if isinstance(message, WaText):
        need(0 < len(message.body) <= MAX_TEXT, f"text of {len(message.body)} characters")
    else:
        need(0 < len(message.body) <= MAX_BODY, f"body of {len(message.body)} characters")
    if isinstance(message, WaButtons):
        need(0 < len(message.buttons) <= MAX_BUTTONS, f"{len(message.buttons)} buttons")
        titles = [title for _, title in message.buttons]
        need(len(set(titles)) == len(titles), f"repeated button titles {titles}")
        for id_, title in message.buttons:
            need(0 < len(title) <= MAX_BUTTON_TITLE, f"button title {title!r}")
            need(0 < len(id_) <= MAX_BUTTON_ID, f"button id {id_!r}")
    if isinstance(message, WaList):
        need(0 < len(message.rows) <= MAX_ROWS, f"{len(message.rows)} rows")
        need(0 < len(message.button) <= MAX_LIST_BUTTON, f"list button {message.button!r}")
        need(0 < len(message.section) <= MAX_SECTION_TITLE, f"section {message.section!r}")
        ids = [row.id for row in message.rows]
        need(len(set(ids)) == len(ids), f"repeated row ids {ids}")
        for row in message.rows:
            need(0 < len(row.title) <= MAX_ROW_TITLE, f"row title {row.title!r}")
            need(0 < len(row.id) <= MAX_ROW_ID, f"row id {row.id!r}")
            description = row.description or ""
            need(len(description) <= MAX_ROW_DESCRIPTION, f"row description {description!r}")
    if problems:
        raise LimitError("; ".join(problems))
