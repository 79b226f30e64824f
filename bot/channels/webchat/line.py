"""A chat message's line as HTML: what the core isolated in ``<bdi>``, tokens
(references, numbers, commands: left-to-right isolates) kept on one line, safety numbers
as ``tel:`` links. Typed text (first-strong isolates) takes its own direction and wraps.
"""

from __future__ import annotations

import re

from markupsafe import Markup, escape

from core.text.msgids import (
    EMERGENCY_NUMBER,
    SUICIDE_LINE,
    SUICIDE_LINE_FREE,
    WORRYING_BEHAVIOUR_LINE,
)
from core.text.render import FSI, LRI, PDI

_ISOLATED = re.compile(f"([{FSI}{LRI}])([^{FSI}{LRI}{PDI}]*){PDI}")
SAFETY_NUMBERS = frozenset(
    {EMERGENCY_NUMBER, SUICIDE_LINE, SUICIDE_LINE_FREE, WORRYING_BEHAVIOUR_LINE}
)


def _part(kind: str, value: str) -> str:
    if kind == FSI:
        return f"<bdi>{escape(value)}</bdi>"
    token = f'<bdi dir="ltr" class="token">{escape(value)}</bdi>'
    if value in SAFETY_NUMBERS:
        return f'<a class="tel" href="tel:{re.sub(r"[^0-9]", "", value)}">{token}</a>'
    return token


def chat_line(line: str) -> Markup:
    """``line`` escaped, with its isolated parts as described above."""
    out: list[str] = []
    at = 0
    for match in _ISOLATED.finditer(line):
        out.append(str(escape(line[at : match.start()])))
        out.append(_part(match.group(1), match.group(2)))
        at = match.end()
    out.append(str(escape(line[at:])))
    return Markup("".join(out))
