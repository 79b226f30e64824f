"""Make typed text safe to store and echo: no controls, no direction tricks, no zalgo."""

from __future__ import annotations

import re
import unicodedata

# The only invisible format characters kept: emoji sequences (👩‍⚕️) and some scripts need
# them, between two visible characters.
_JOINERS = frozenset({"\u200c", "\u200d"})
MAX_COMBINING_MARKS = 3
_MARKS = frozenset({"Mn", "Me"})
_SPACES = re.compile(r"[^\S\n]+")
_BLANK_LINES = re.compile(r"\n{3,}")


def _allowed(ch: str) -> bool:
    if ch == "\n":
        return True
    category = unicodedata.category(ch)
    # Cf: invisible format characters. Direction controls (U+202E, U+2066...) would let a
    # reporter reorder what staff read; zero-width spaces, soft hyphens, tags (which spell
    # hidden text) and annotation marks hide what was typed. Only the joiners stay.
    if category == "Cf":
        return ch in _JOINERS
    # Cc: controls and NUL; Cs: lone surrogates; Cn: unassigned; Co: private use.
    return category not in {"Cc", "Cs", "Cn", "Co"}


def _is_mark(ch: str) -> bool:
    # By category, not by combining class: enclosing marks (U+20DD, U+0489) and variation
    # selectors have class 0 and stack just as well.
    return unicodedata.category(ch) in _MARKS


def _place_joiners(text: str) -> str:
    """Drop joiners that join nothing: at an edge, next to white space or another joiner,
    or before a mark (which would let marks pile up past the limit across joiners)."""
    out: list[str] = []
    for index, ch in enumerate(text):
        if ch in _JOINERS:
            before = out[-1] if out else " "
            after = text[index + 1] if index + 1 < len(text) else " "
            if before.isspace() or before in _JOINERS:
                continue
            if after.isspace() or after in _JOINERS or _is_mark(after):
                continue
        out.append(ch)
    return "".join(out)


def _limit_marks(text: str) -> str:
    out: list[str] = []
    run = 0
    for ch in text:
        if _is_mark(ch):
            run += 1
            if run > MAX_COMBINING_MARKS:
                continue
        else:
            run = 0
        out.append(ch)
    return "".join(out)


def _clean_once(raw: str) -> str:
    text = raw.replace("\r\n", "\n").replace("\r", "\n").replace("\t", " ")
    text = _place_joiners("".join(ch for ch in text if _allowed(ch)))
    text = unicodedata.normalize("NFC", text)
    text = _limit_marks(text)
    lines = [_SPACES.sub(" ", line).strip() for line in text.split("\n")]
    return _BLANK_LINES.sub("\n\n", "\n".join(lines)).strip()


def clean_text(raw: str) -> str:
    """Return ``raw`` without controls, NULs, lone surrogates, bidi overrides, invisible
    format characters (but joiners) or excess combining marks, NFC-normalised and
    trimmed. Idempotent."""
    if raw.isascii() and raw.isprintable():
        # The usual case, fast: printable ASCII has no controls, marks, joiners or format
        # characters and is NFC already; only the spaces are tidied (as _clean_once does).
        return _SPACES.sub(" ", raw).strip()
    text = _clean_once(raw)
    for _ in range(3):
        again = _clean_once(text)
        if again == text:
            break
        text = again
    return text


def has_substance(text: str) -> bool:
    """True when the text has at least one letter or digit (not only emoji or symbols)."""
    return any(unicodedata.category(ch)[0] in {"L", "N"} for ch in text)


def fold(text: str) -> str:
    """A comparison key for typed labels: case, accents, punctuation and digits folded."""
    decomposed = unicodedata.normalize("NFKD", ascii_digits(text).casefold())
    kept = [ch for ch in decomposed if unicodedata.category(ch)[0] in {"L", "N"}]
    return "".join(kept)


def ascii_digits(text: str) -> str:
    """Map full-width, Arabic-Indic and other decimal digits to ASCII 0-9."""
    out = []
    for ch in unicodedata.normalize("NFKC", text):
        value = unicodedata.decimal(ch, None)
        out.append(str(value) if value is not None else ch)
    return "".join(out)
