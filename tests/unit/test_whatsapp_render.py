"""WhatsApp's limits, for every question in every language: a long Turkish or Polish label
fails here instead of in production. Also the templates to register with Meta."""

from __future__ import annotations

from collections.abc import Mapping

import pytest

from bot.buttons import checkin_data, reporter_data
from bot.channels.whatsapp.channel import list_texts
from bot.channels.whatsapp.render import (
    MAX_BODY,
    MAX_BUTTON_TITLE,
    LimitError,
    ListTexts,
    Option,
    WaButtons,
    WaList,
    WaMessage,
    WaRow,
    WaText,
    check_limits,
    render,
)
from bot.channels.whatsapp.templates import MAX_QUICK_REPLY, MAX_TEMPLATE_BODY, SPECS, template_text
from bot.channels.whatsapp.updates import reply_options
from bot.i18n import load_catalogs
from bot.rendering import render_reply
from bot.settings import Settings
from core.dialog.asking import ask, ask_dialog
from core.dialog.dialogs import DIALOGS
from core.dialog.events import Reply
from core.dialog.flows import FLOWS
from core.dialog.model import Kind, Place
from core.dialog.state import ConversationState
from core.followup import texts as ft
from core.text.catalog import Catalog
from core.text.languages import LANGUAGES
from tests.unit.conftest import PLACES

ALL_PLACES = Settings(_env_file=None).places()  # type: ignore[call-arg]


def _every_question(places: tuple[Place, ...]) -> list[Reply]:
    replies: list[Reply] = []
    for flow in FLOWS.values():
        for step in flow.steps:
            state = ConversationState(flow=flow.id, prompt=step.id)
            replies.append(ask(step, state, places, flow))
            if step.kind == Kind.MULTI:  # with ✓ marks, which make titles longer
                marked = state.with_(selection=tuple(c.id for c in step.choices[:3]))
                replies.append(ask(step, marked, places, flow))
    for dialog in DIALOGS.values():
        replies.append(ask_dialog(dialog, ConversationState(), date="1 januari 2026 09:00"))
    replies.append(ft.checkin_reply("SP-2026-0042"))
    return replies


def whatsapp_messages(
    reply: Reply, catalogs: Mapping[str, Catalog], language: str
) -> list[WaMessage]:
    """``reply`` as the WhatsApp channel sends it (a check-in: as the outbox sends it)."""
    rendered = render_reply(reply, catalogs, language)
    if rendered.prompt is None:  # the check-in: its buttons carry the signal's id
        options = [
            Option(checkin_data(42, c.id), c.label, c.selected, c.short) for c in rendered.choices
        ]
    else:
        options = reply_options(rendered)
    return render(rendered.text, options, list_texts(catalogs)[language], multi=rendered.multi)


def _shown(message: WaMessage) -> str:
    """Everything a reader sees of a message."""
    if isinstance(message, WaText):
        return message.body
    if isinstance(message, WaButtons):
        return message.body + "\n" + "\n".join(title for _, title in message.buttons)
    rows = "\n".join(f"{r.title}\n{r.description or ''}" for r in message.rows)
    return f"{message.body}\n{message.button}\n{rows}"


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("places", [PLACES, ALL_PLACES], ids=["3 places", "10 places"])
def test_every_question_fits_whatsapp_in_every_language(
    catalogs: Mapping[str, Catalog], language: str, places: tuple[Place, ...]
) -> None:
    for reply in _every_question(places):
        rendered = render_reply(reply, catalogs, language)
        messages = whatsapp_messages(reply, catalogs, language)
        for message in messages:
            check_limits(message)
        seen = "\n".join(_shown(m) for m in messages)
        for choice in rendered.choices:
            assert (choice.short or choice.label) in seen, (reply.prompt, choice.label)  # not cut
        interactive = [m for m in messages if not isinstance(m, WaText)]
        assert len(interactive) <= 1
        if interactive:  # the options come with the question, last
            assert messages[-1] is interactive[0]


@pytest.mark.parametrize("language", LANGUAGES)
def test_short_questions_get_buttons_and_longer_lists_get_a_list(
    catalogs: Mapping[str, Catalog], language: str
) -> None:
    confirm = whatsapp_messages(
        ask_dialog(DIALOGS["confirm_stop"], ConversationState()), catalogs, language
    )
    assert isinstance(confirm[-1], WaButtons)
    languages = whatsapp_messages(
        ask_dialog(DIALOGS["language"], ConversationState()), catalogs, language
    )
    assert isinstance(languages[-1], WaList)
    assert [row.id for row in languages[-1].rows] == [
        reporter_data("language", code) for code in LANGUAGES
    ]
    checkin = whatsapp_messages(ft.checkin_reply("SP-2026-0042"), catalogs, language)
    assert isinstance(checkin[-1], WaButtons), "check-in answers must fit in buttons"


def test_the_current_language_is_marked_in_the_language_list(
    catalogs: Mapping[str, Catalog],
) -> None:
    state = ConversationState(language="tr")
    listed = whatsapp_messages(ask_dialog(DIALOGS["language"], state), catalogs, "tr")[-1]
    assert isinstance(listed, WaList)
    marked = [row.title for row in listed.rows if row.title.startswith("✓")]
    assert marked == ["✓ Türkçe"]


def test_more_than_ten_options_become_numbered_text() -> None:
    options = [Option(f"r|place|area:{n}", f"Wijk {n}") for n in range(1, 13)]
    texts = _texts()
    messages = render("Waar woont de persoon?", options, texts)
    assert all(isinstance(m, WaText) for m in messages)
    body = "\n".join(m.body for m in messages if isinstance(m, WaText))
    assert "1. Wijk 1" in body
    assert "12. Wijk 12" in body
    assert body.endswith(texts.type_number)


def test_a_short_label_is_the_title_and_the_full_label_the_description() -> None:
    label = "Al dagen niet gezien, gordijnen dicht, post blijft liggen"
    option = Option("a", label, short="Dagen niet gezien")
    messages = render("Wat viel op?", [option, Option("b", "x")] * 2, _texts())
    listed = messages[-1]
    assert isinstance(listed, WaList)
    assert listed.rows[0] == WaRow("a", "Dagen niet gezien", label)
    assert listed.rows[1] == WaRow("b", "x", None)


def test_a_label_too_long_for_a_row_is_never_cut_but_numbered() -> None:
    label = "Al dagen niet gezien, gordijnen dicht, post blijft liggen"
    messages = render("Wat viel op?", [Option("a", label), Option("b", "x")] * 2, _texts())
    assert all(isinstance(m, WaText) for m in messages)
    assert f"1. {label}" in messages[-1].body


def test_a_body_beyond_1024_characters_goes_ahead_as_plain_text() -> None:
    summary = "\n\n".join(f"Regel {n}: " + "x" * 90 for n in range(20))
    messages = render(f"{summary}\n\nKlopt dit?", [Option("yes", "Ja")], _texts())
    assert isinstance(messages[-1], WaButtons)
    assert messages[-1].body == "Klopt dit?"
    assert all(isinstance(m, WaText) for m in messages[:-1])
    assert sum(len(m.body) for m in messages) >= len(summary)


def test_buttons_with_the_same_title_become_a_list() -> None:
    messages = render("?", [Option("a", "Ja"), Option("b", "Ja")], _texts())
    assert isinstance(messages[-1], WaList)


@pytest.mark.parametrize(
    "message",
    [
        WaText(""),
        WaText("x" * 4097),
        WaButtons("x" * (MAX_BODY + 1), (("a", "A"),)),
        WaButtons("?", (("a", "x" * (MAX_BUTTON_TITLE + 1)),)),
        WaButtons("?", (("a", "A"), ("b", "A"))),
        WaButtons("?", tuple((str(n), str(n)) for n in range(4))),
        WaList("?", "Kies", "Keuzes", ()),
        WaList("?", "Kies", "Keuzes", tuple(WaRow(str(n), str(n)) for n in range(11))),
        WaList("?", "Kies", "Keuzes", (WaRow("a", "x" * 25),)),
        WaList("?", "Kies", "Keuzes", (WaRow("a", "A", "d" * 73),)),
        WaList("?", "Kies", "Keuzes", (WaRow("a", "A"), WaRow("a", "B"))),
        WaList("?", "x" * 21, "Keuzes", (WaRow("a", "A"),)),
    ],
)
def test_check_limits_refuses_what_whatsapp_refuses(message: WaMessage) -> None:
    with pytest.raises(LimitError):
        check_limits(message)


@pytest.mark.parametrize("language", LANGUAGES)
def test_templates_fit_whatsapps_limits(catalogs: Mapping[str, Catalog], language: str) -> None:
    for spec in SPECS:
        text = template_text(spec, catalogs[language], language)
        assert len(text.body) <= MAX_TEMPLATE_BODY
        for number in range(1, len(spec.samples) + 1):
            assert f"{{{{{number}}}}}" in text.body
        # Meta refuses a body that starts or ends with a parameter.
        assert not text.body.startswith("{{")
        assert not text.body.endswith("}}")
        assert all(0 < len(label) <= MAX_QUICK_REPLY for label in text.buttons)
        assert len(set(text.buttons)) == len(text.buttons)


def _texts() -> ListTexts:
    return list_texts(load_catalogs())["nl"]
