"""What the pressed message becomes when a tap's answer and the next question are edited
into it (ADR 0111): the answer as the buttons said it, the question kept, Telegram's limit."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime

from telegram import Chat, InlineKeyboardButton, InlineKeyboardMarkup, Message

from bot.channels.telegram.answered import chosen_labels, closed, extended, toggled
from bot.channels.telegram.format import MAX_TEXT
from bot.rendering import RenderedChoice, RenderedReply
from core.dialog import messages as m
from core.text.catalog import Catalog
from core.text.msgids import Msg
from core.text.render import render

FSI, PDI = "\u2068", "\u2069"


def message(*labels: tuple[str, str]) -> Message:
    rows = [[InlineKeyboardButton(text, callback_data=data)] for text, data in labels]
    chat = Chat(1, Chat.PRIVATE)
    when = datetime(2026, 11, 23, tzinfo=UTC)
    return Message(7, when, chat, text="Vraag?", reply_markup=InlineKeyboardMarkup(rows))


def question(text: str, *choices: str, language: str = "nl") -> RenderedReply:
    listed = tuple(RenderedChoice(c, c.title(), False) for c in choices)
    return RenderedReply(text, "step" if choices else None, listed, False, language)


def test_the_answer_is_the_pressed_label_or_what_was_ticked(
    catalogs: Mapping[str, Catalog],
) -> None:
    asked = message(("Ja", "r|a|yes"), ("Nee", "r|a|no"))
    assert chosen_labels(asked, "r|a|no") == ["Nee"]
    assert chosen_labels(asked, "r|a|gone") == []
    ticked = message(("✓ Alleen", "r|o|alone"), ("Ziek", "r|o|ill"), ("✓ Post", "r|o|post"))
    assert chosen_labels(ticked, "r|o|done") == []  # no such button: nothing to say
    done = message(("✓ Alleen", "r|o|a"), ("Ziek", "r|o|i"), ("Klaar", "r|o|done"))
    assert chosen_labels(done, "r|o|done") == ["Alleen"]
    assert chosen_labels(message(("Klaar", "r|o|done")), "r|o|done") == ["Klaar"]


def test_the_question_keeps_its_text_the_answer_under_it_then_the_reply(
    catalogs: Mapping[str, Catalog],
) -> None:
    asked = "Hoe ken je de persoon?"
    edit = extended(asked, ["Winkel & co"], [question("Leeftijd?", "a", "b")], catalogs)
    assert edit is not None
    assert edit.text == f"{asked}\nJe antwoord: {FSI}Winkel &amp; co{PDI}\n\nLeeftijd?"
    assert edit.markup is not None
    assert [row[0].text for row in edit.markup.inline_keyboard] == ["A", "B"]
    arabic = extended("سؤال", ["نعم"], [question("التالي", "a", language="ar")], catalogs)
    assert arabic is not None
    assert f"إجابتك: {FSI}نعم{PDI}" in arabic.text


def test_replies_that_do_not_fit_or_need_another_keyboard_go_as_new_messages(
    catalogs: Mapping[str, Catalog],
) -> None:
    nearly_full = "x" * (MAX_TEXT - 30)
    assert extended(nearly_full, ["Ja"], [question("Volgende vraag?", "a")], catalogs) is None
    assert closed(nearly_full[:-60], ["Ja"], catalogs["nl"], "nl") is not None
    two_keyboards = [question("Eerst?", "a"), question("Dan?", "b")]
    assert extended("Vraag?", ["Ja"], two_keyboards, catalogs) is None
    share = RenderedReply("Je nummer?", "phone", (), False, "nl", share_phone="Deel mijn nummer")
    assert extended("Vraag?", ["Ja"], [share], catalogs) is None
    assert extended("Vraag?", [], [question("Volgende?", "a")], catalogs) is None


def test_a_toggle_shows_the_current_question_anew_and_keeps_the_answers_above() -> None:
    shown = "Rol?\nJe antwoord: Winkel\n\nWat viel op?\n\n1 antwoord gekozen."
    assert toggled(shown, "Wat viel op?\n\n2 antwoorden gekozen.") == (
        "Rol?\nJe antwoord: Winkel\n\nWat viel op?\n\n2 antwoorden gekozen."
    )
    assert toggled("Iets anders", "Wat viel op?") == "Wat viel op?"


def test_a_multiple_choice_answered_loses_its_count_line(
    catalogs: Mapping[str, Catalog],
) -> None:
    status = Msg(m.SELECTED, {"count": 2}, plural=m.SELECTED_PLURAL, count=2)
    count = render(status, catalogs["nl"], "nl")
    assert count.startswith("2 antwoorden gekozen")
    shown = f"Wat viel op?\n\n{count}"
    edit = extended(shown, ["Alleen", "Post"], [question("Waar?", "a")], catalogs)
    assert edit is not None
    assert edit.text == f"Wat viel op?\nJe antwoord: {FSI}Alleen{PDI}, {FSI}Post{PDI}\n\nWaar?"
    # Only that line: a question's own last paragraph stays.
    kept = extended("Vraag?\n\nKies er 1.", ["Ja"], [question("Waar?", "a")], catalogs)
    assert kept is not None
    assert kept.text.startswith("Vraag?\n\nKies er 1.\nJe antwoord")
