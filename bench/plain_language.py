"""Plain-language figures of the Dutch texts residents read (B1): Flesch-Douma, sentence
length, long words, and the words outside the 5,000 most common Dutch words.

Run: .venv/bin/python -m bench.plain_language [--words]

The texts are found by walking the code a resident's conversation uses (the flows, the
dialogs, the messages, the reporter's follow-up texts, WhatsApp's list texts and the web
chat page), so the same script measures an older checkout too; the Dutch comes from
``locales/nl``. Staff texts (Dutch only) are not measured. Placeholders are filled with
typical values ("SP-2026-0004", "112").
"""

from __future__ import annotations

import argparse
import re
import sys
from collections import Counter
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
CHAT_PAGE = ROOT / "bot" / "web" / "templates" / "chat" / "page.html"
COMMON_WORDS = 5000
LONG_WORD_SYLLABLES = 4
# Words a resident is not expected to know, named in the issue: watched one by one.
WATCHED = ("loket", "signaal", "signalen", "opgepakt", "anoniem", "melder", "betrokkene")
SAMPLE = {
    "reference": "SP-2026-0004",
    "emergency": "112",
    "suicide": "113",
    "suicide_free": "0800-0113",
    "worry": "0800-1205",
    "example": "4531 AB",
    "date": "23 november 2026 09:00",
    "count": 2,
    "number": "7",
    "max": "5",
    "text": "…",
    "status": "ontvangen",
    "label": "Leeftijd",
    "value": "75 of ouder",
    "start": "/start",
    "erase": "/verwijder",
    "language": "/taal",
    "privacy": "/privacy",
    "stop": "stop",
    "help": "/help",
    "status_command": "/status",
}


def _strings(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, tuple | list):
        for item in value:
            yield from _strings(item)
    elif isinstance(value, dict):
        for item in value.values():
            yield from _strings(item)


def _step_texts(step: Any) -> Iterator[str]:
    for name in ("prompt", "hint", "summary_label"):
        text = getattr(step, name, "")
        if text:
            yield text
    for choice in getattr(step, "choices", ()):
        for name in ("label", "short"):
            text = getattr(choice, name, "")
            if text:
                yield text


def resident_msgids() -> list[str]:
    """Every msgid a resident can read, once, in a stable order."""
    sys.path.insert(0, str(ROOT))
    from bot.channels.whatsapp import texts as whatsapp_texts
    from core.dialog import dialogs, flows, messages
    from core.followup import texts as followup_texts

    found: list[str] = []
    for flow in flows.FLOWS.values():
        for step in flow.steps:
            found.extend(_step_texts(step))
    for step in dialogs.DIALOGS.values():
        found.extend(_step_texts(step))
    found.extend(_step_texts(dialogs.EDIT_BACK) if hasattr(dialogs, "EDIT_BACK") else ())
    for name, value in vars(messages).items():
        if name.isupper() and not name.startswith("COMMAND_MENU") and not name.startswith("_"):
            found.extend(_strings(value))
    for name in (
        "CHECKIN_QUESTION",
        "CHECKIN_CHOICES",
        "CHECKIN_THANKS",
        "CHECKIN_PASSED_ON",
        "CHECKIN_ALREADY",
        "CHECKIN_UNKNOWN",
        "QUESTION_FROM_LOKET",
        "QUESTION_FROM_LOKET_WEB",
        "QUESTION_ANSWER_SENT",
        "QUESTION_NUMBER_REMOVED",
        "STATUS_HEADER",
        "STATUS_NONE",
        "REPORTER_STATUS_LABELS",
    ):
        found.extend(_strings(getattr(followup_texts, name, ())))
    found.extend(_strings({k: v for k, v in vars(whatsapp_texts).items() if k.isupper()}))
    found.extend(_template_msgids(CHAT_PAGE))
    return list(dict.fromkeys(t for t in found if t))


def _template_msgids(path: Path) -> Iterator[str]:
    text = path.read_text(encoding="utf-8")
    for match in re.finditer(r"""(?:_|pgettext)\((?:"[^"]*",\s*)?(["'])(.+?)\1\)""", text):
        yield match.group(2)


def dutch(msgids: Iterable[str]) -> list[str]:
    """The Dutch of each msgid (any context), placeholders filled."""
    from babel.messages.pofile import read_po

    with (ROOT / "locales" / "nl" / "LC_MESSAGES" / "signaalpunt.po").open("rb") as handle:
        catalog = read_po(handle, locale="nl")
    by_id: dict[str, str] = {}
    for message in catalog:
        key = message.id if isinstance(message.id, str) else message.id[0]
        string = message.string
        if isinstance(string, tuple | list):
            string = string[0]
        if key and string:
            by_id.setdefault(str(key), str(string))
    texts = []
    for msgid in msgids:
        template = by_id.get(msgid)
        if template is None:
            continue
        try:
            texts.append(template % SAMPLE)
        except (KeyError, TypeError, ValueError):
            texts.append(template)
    return texts


_WORD = re.compile(r"[^\W\d_]+(?:[-'][^\W\d_]+)*", re.UNICODE)


def figures(texts: list[str]) -> dict[str, Any]:
    import textstat
    from wordfreq import top_n_list

    textstat.set_lang("nl")
    common = set(top_n_list("nl", COMMON_WORDS))
    # A label or button is a sentence of its own: end each text as one.
    corpus = " ".join(t.strip().rstrip(".!?:") + "." for t in texts if t.strip())
    words = [w.casefold() for w in _WORD.findall(corpus)]
    sentences = max(1, textstat.sentence_count(corpus))
    long_words = [w for w in words if textstat.syllable_count(w) >= LONG_WORD_SYLLABLES]
    rare = Counter(w for w in words if w not in common)
    return {
        "texts": len(texts),
        "words": len(words),
        "flesch_douma": round(float(textstat.flesch_reading_ease(corpus)), 1),
        "words_per_sentence": round(len(words) / sentences, 1),
        "long_words_pct": round(100 * len(long_words) / max(1, len(words)), 1),
        "uncommon_words_pct": round(100 * sum(rare.values()) / max(1, len(words)), 1),
        "uncommon": rare,
        "watched": {w: sum(1 for x in words if x == w) for w in WATCHED},
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--words", action="store_true", help="list every uncommon word")
    args = parser.parse_args()
    result = figures(dutch(resident_msgids()))
    rows = [
        ("Flesch-Douma (higher is easier; B1 ≈ 60+)", result["flesch_douma"]),
        ("words per sentence", result["words_per_sentence"]),
        (f"words of {LONG_WORD_SYLLABLES}+ syllables (%)", result["long_words_pct"]),
        (f"words outside the {COMMON_WORDS} most common (%)", result["uncommon_words_pct"]),
    ]
    print(f"Dutch resident texts: {result['texts']} texts, {result['words']} words")
    for name, value in rows:
        print(f"{name + ':':48} {value}")
    print("watched words: " + ", ".join(f"{w} {n}" for w, n in result["watched"].items()))
    rare: Counter[str] = result["uncommon"]
    shown = rare.most_common() if args.words else rare.most_common(40)
    print("uncommon words: " + ", ".join(f"{w} ({n})" for w, n in shown))


if __name__ == "__main__":
    main()
