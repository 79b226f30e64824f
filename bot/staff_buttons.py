"""Staff buttons generated from the lifecycle table."""

from __future__ import annotations

from core.lifecycle import table as lifecycle
from core.text.catalog import Catalog
from core.text.languages import STAFF_LANGUAGE
from core.text.msgids import Msg
from core.text.render import render_label

from .callbacks import staff_data
from .ports import Button

SHOW = "show"  # not an action: puts the next-step buttons back after looking at options


def action_button(catalog: Catalog, action: lifecycle.Action, signal_id: int) -> Button:
    label = render_label(Msg(action.label), catalog, STAFF_LANGUAGE)
    return Button(label, staff_data(action.id, signal_id))


def next_step_buttons(catalog: Catalog, status: str, signal_id: int) -> tuple[Button, ...]:
    """The buttons under a staff member's private card for a signal in ``status``."""
    return tuple(action_button(catalog, a, signal_id) for a in lifecycle.next_actions(status))


def option_buttons(
    catalog: Catalog, action: lifecycle.Action, signal_id: int, back: str
) -> tuple[Button, ...]:
    """The options of ``action`` (referral targets, outcomes), then a way back."""
    options = tuple(
        Button(
            render_label(Msg(label), catalog, STAFF_LANGUAGE), staff_data(action.id, signal_id, key)
        )
        for key, label in action.options.items()
    )
    return (*options, Button(back, staff_data(SHOW, signal_id)))
