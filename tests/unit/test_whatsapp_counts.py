"""Every question of every flow and dialog, in every language, as WhatsApp shows it: a
question with up to 3 answers gets reply buttons (never a list: one tap more), and no list
row is ever cut. The two counts are printed and must be 0 (issue 20)."""

from __future__ import annotations

from collections.abc import Iterator, Mapping

from bot.channels.whatsapp.render import MAX_BUTTON_TITLE, MAX_BUTTONS, WaButtons, WaList
from bot.rendering import render_reply
from core.dialog.asking import again, ask, ask_dialog, edit_dialog
from core.dialog.dialogs import DIALOGS
from core.dialog.events import Reply
from core.dialog.flows import FLOWS
from core.dialog.model import Kind
from core.dialog.state import Answer, ConversationState
from core.followup import texts as ft
from core.text.catalog import Catalog
from core.text.languages import LANGUAGES
from core.text.msgids import msg
from tests.unit.conftest import PLACES
from tests.unit.test_whatsapp_render import whatsapp_messages


def every_reply() -> Iterator[tuple[str, Reply]]:
    """(where, reply) for every question a reporter can be asked."""
    for flow in FLOWS.values():
        for step in flow.steps:
            state = ConversationState(flow=flow.id, prompt=step.id)
            yield f"{flow.id}.{step.id}", ask(step, state, PLACES, flow)
            if step.kind == Kind.MULTI:  # ticked: "✓ " makes titles longer
                ticked = state.with_(selection=tuple(c.id for c in step.choices))
                yield f"{flow.id}.{step.id} (all ticked)", ask(step, ticked, PLACES, flow)
        full = {s.id: Answer(choice="x", value="x") for s in flow.steps}
        yield f"{flow.id}.edit", edit_dialog(flow, ConversationState(flow=flow.id, answers=full))
    for dialog in DIALOGS.values():
        for language in LANGUAGES:  # the welcome offers the other languages
            state = ConversationState(language=language)
            yield f"{dialog.id} ({language})", ask_dialog(dialog, state, date="1 januari")
    yield "checkin", ft.checkin_reply("SP-2026-0042")
    yield "again", again((msg("x"),))


def counts(catalogs: Mapping[str, Catalog]) -> tuple[list[str], list[str]]:
    """(questions with up to 3 answers that are not buttons, list rows cut or lost)."""
    not_buttons: list[str] = []
    cut: list[str] = []
    for language in LANGUAGES:
        for where, reply in every_reply():
            rendered = render_reply(reply, catalogs, language)
            messages = whatsapp_messages(reply, catalogs, language)
            last = messages[-1]
            if 0 < len(rendered.choices) <= MAX_BUTTONS and not isinstance(last, WaButtons):
                titles = [c.short or c.label for c in rendered.choices]
                not_buttons.append(f"{language} {where}: {titles}")
            if isinstance(last, WaList):
                for row, choice in zip(last.rows, rendered.choices, strict=True):
                    full = {row.title.removeprefix("✓ "), row.description or ""}
                    if choice.label not in full or "…" in row.title:
                        cut.append(f"{language} {where}: {row.title!r} / {choice.label!r}")
            elif (
                len(rendered.choices) <= 10 and rendered.choices and not isinstance(last, WaButtons)
            ):
                cut.append(f"{language} {where}: numbered instead of a list")
    return not_buttons, cut


def test_no_short_question_falls_back_to_a_list_and_no_row_is_cut(
    catalogs: Mapping[str, Catalog],
) -> None:
    not_buttons, cut = counts(catalogs)
    print(f"\nWhatsApp: {len(not_buttons)} questions with ≤3 answers not as buttons")
    print(f"WhatsApp: {len(cut)} list rows cut (or a list numbered instead)")
    assert not_buttons == []
    assert cut == []


def test_every_short_label_fits_a_reply_button_in_every_language(
    catalogs: Mapping[str, Catalog],
) -> None:
    too_long = [
        (language, where, title)
        for language in LANGUAGES
        for where, reply in every_reply()
        for choice in render_reply(reply, catalogs, language).choices
        if choice.short and len(title := choice.short) > MAX_BUTTON_TITLE
    ]
    assert too_long == []
