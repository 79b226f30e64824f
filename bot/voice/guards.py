"""The guards around a transcription: pure functions, so both processes apply the same ones.

Whisper's known failure is a loop: the decoder repeats a word or a phrase until its token
limit, most often in Arabic and Ukrainian, and after silence. Four guards bound it:
``condition_on_previous_text`` off (a loop cannot carry into the next window; the worker
sets it), a wall-clock limit that grows with the audio's length (``time_limit``), a cap on
the characters a note of that length can hold (``max_chars``), and ``looks_repetitive``,
which discards output that repeats itself. A discarded transcript is not lost work: the
audio is kept and staff listen to it.
"""

from __future__ import annotations

import re
import zlib
from dataclasses import dataclass

# A unit of 1 to 40 characters said 8 times in a row (with or without spaces between):
# "ا ا ا ا ...", "да да да ...", "شكرا شكرا ...", "thank you. thank you. ...".
_REPEATED_UNIT = re.compile(r"(\S.{0,39}?)(?:[\s,.،؛!?-]*\1){7,}", re.DOTALL)
# A phrase of 2 to 12 words said 4 times in a row.
_MIN_PHRASE_REPEATS = 4
# Whisper's own threshold, which it applies to each 30-second window's text: text that zlib
# squeezes more than this is repetitive. Applied here to windows of about that much text, since
# a long natural text compresses better than a short one.
_COMPRESSION_RATIO = 2.4
_RATIO_WINDOW_CHARS = 400
# Below this many characters the ratio says nothing.
_RATIO_MIN_CHARS = 120


@dataclass(frozen=True, slots=True)
class GuardLimits:
    # Wall clock: base + per audio second (2 minutes of audio: 15 + 0.5 x 120 = 75 s).
    base_seconds: float = 15.0
    seconds_per_audio_second: float = 0.5
    # Output: fast speech is about 15 characters a second; Arabic with vowel marks, more.
    chars_per_audio_second: float = 40.0
    base_chars: int = 200

    def time_limit(self, audio_seconds: float) -> float:
        return self.base_seconds + self.seconds_per_audio_second * max(0.0, audio_seconds)

    def max_chars(self, audio_seconds: float) -> int:
        return self.base_chars + int(self.chars_per_audio_second * max(0.0, audio_seconds))


def looks_repetitive(text: str) -> bool:
    """Whether the text loops: a short unit or a phrase repeated back to back, or text that
    compresses like a loop."""
    stripped = text.strip()
    if not stripped:
        return False
    if _REPEATED_UNIT.search(stripped):
        return True
    if _repeated_phrase(stripped.split()):
        return True
    return any(
        compression_ratio(window) > _COMPRESSION_RATIO
        for window in _windows(stripped)
        if len(window) >= _RATIO_MIN_CHARS
    )


def compression_ratio(text: str) -> float:
    raw = text.encode("utf-8")
    return len(raw) / len(zlib.compress(raw))


def _windows(text: str) -> list[str]:
    """Consecutive pieces of about ``_RATIO_WINDOW_CHARS``, the last one joined to the one
    before it when short (so every piece the ratio reads is long enough to mean something)."""
    pieces = [text[i : i + _RATIO_WINDOW_CHARS] for i in range(0, len(text), _RATIO_WINDOW_CHARS)]
    if len(pieces) > 1 and len(pieces[-1]) < _RATIO_MIN_CHARS:
        pieces[-2:] = [pieces[-2] + pieces[-1]]
    return pieces


def _repeated_phrase(words: list[str]) -> bool:
    folded = [word.strip(",.،؛!?-").casefold() for word in words]
    for size in range(2, 13):
        needed = size * _MIN_PHRASE_REPEATS
        for start in range(0, len(folded) - needed + 1):
            phrase = folded[start : start + size]
            if all(
                folded[start + k * size : start + (k + 1) * size] == phrase
                for k in range(1, _MIN_PHRASE_REPEATS)
            ):
                return True
    return False
