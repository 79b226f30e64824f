"""Make typed text safe to store and echo: no controls, no direction tricks, no zalgo."""

from __future__ import annotations

import re
import unicodedata

# Explicit direction controls would let a reporter reorder what staff read.
_BIDI_CONTROLS = frozenset(
    [chr(c) for c in range(0x202A, 0x202F)]
    + [chr(c) for c in range(0x2066, 0x206A)]
    + ["\u200e", "\u200f", "\u061c", "\ufeff", "\u200b"]
)
MAX_COMBINING_MARKS = 3
_SPACES = re.compile(r"[^\S\n]+")
_BLANK_LINES = re.compile(r"\n{3,}")


def _allowed(ch: str) -> bool:
    if ch == "\n":
        return True
    if ch in _BIDI_CONTROLS:
        return False
    category = unicodedata.category(ch)
    # Cc: controls and NUL; Cs: lone surrogates; Cn: unassigned; Co: private use.
    return category not in {"Cc", "Cs", "Cn", "Co"}


def _limit_marks(text: str) -> str:
    out: list[str] = []
    run = 0
    for ch in text:
        if unicodedata.combining(ch):
            run += 1
            if run > MAX_COMBINING_MARKS:
                continue
        else:
            run = 0
        out.append(ch)
    return "".join(out)


def _clean_once(raw: str) -> str:
    text = raw.replace("\r\n", "\n").replace("\r", "\n").replace("\t", " ")
    text = "".join(ch for ch in text if _allowed(ch))
    text = unicodedata.normalize("NFC", text)
    text = _limit_marks(text)
    lines = [_SPACES.sub(" ", line).strip() for line in text.split("\n")]
    return _BLANK_LINES.sub("\n\n", "\n".join(lines)).strip()


def clean_text(raw: str) -> str:
    """Return ``raw`` without controls, NULs, lone surrogates, bidi overrides or
    excess combining marks, NFC-normalised and trimmed. Idempotent."""
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
