"""Buttons, channel-neutral: their payloads (short enough for Telegram's 64-byte
callback_data), and the staff buttons generated from the lifecycle table.

``r|<prompt>|<choice>`` answers a reporter's question; ``s|<action>|<signal id>[|<option>]``
is a staff action (with a referral target or outcome); ``k|<signal id>|<answer>`` answers a
reporter check-in. Anything else is refused as forged or outdated.
"""

from __future__ import annotations

from dataclasses import dataclass

from core.lifecycle import table as lifecycle
from core.text.catalog import Catalog
from core.text.languages import STAFF_LANGUAGE
from core.text.msgids import Msg
from core.text.render import render_label

from .ports import Button

MAX_BYTES = 64
# Signal ids are 32-bit integers in the database: a larger one is no signal of ours, and
# looking it up would fail in the driver instead of finding nothing.
MAX_ID = 2**31 - 1


@dataclass(frozen=True)
class ReporterButton:
    prompt: str
    choice: str


@dataclass(frozen=True)
class StaffButton:
    action: str
    signal_id: int
    option: str | None = None


@dataclass(frozen=True)
class CheckinButton:
    signal_id: int
    answer: str


def reporter_data(prompt: str, choice: str) -> str:
    data = f"r|{prompt}|{choice}"
    if len(data.encode()) > MAX_BYTES:
        raise ValueError(f"button payload longer than {MAX_BYTES} bytes: {data!r}")
    return data


def staff_data(action: str, signal_id: int, option: str | None = None) -> str:
    return f"s|{action}|{signal_id}" + (f"|{option}" if option else "")


def checkin_data(signal_id: int, answer: str) -> str:
    return f"k|{signal_id}|{answer}"


def parse(data: str | None) -> ReporterButton | StaffButton | CheckinButton | None:
    """The button a payload stands for, or None when it is not one of ours."""
    if not data or len(data.encode()) > MAX_BYTES:
        return None
    kind, _, rest = data.partition("|")
    first, sep, second = rest.partition("|")
    if not sep or not first or not second:
        return None
    if kind == "r":
        return ReporterButton(first, second)
    if kind == "s":
        number, _, option = second.partition("|")
        signal_id = _id(number)
        if signal_id is not None:
            return StaffButton(first, signal_id, option or None)
    if kind == "k" and (signal_id := _id(first)) is not None:
        return CheckinButton(signal_id, second)
    return None


def _id(text: str) -> int | None:
    if not (text.isascii() and text.isdigit()):
        return None
    value = int(text)
    return value if value <= MAX_ID else None


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
