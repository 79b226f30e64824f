"""Button payloads, channel-neutral, short enough for Telegram's 64-byte callback_data.

``r|<prompt>|<choice>`` answers a reporter's question; ``s|<action>|<signal id>[|<option>]``
is a staff action (with a referral target or outcome); ``k|<signal id>|<answer>`` answers a
reporter check-in. Anything else is refused as forged or outdated.
"""

from __future__ import annotations

from dataclasses import dataclass

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
