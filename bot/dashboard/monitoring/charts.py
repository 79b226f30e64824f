"""Bar charts as SVG, drawn on the server: no script, no third-party library, no inline
style (the pages' CSP forbids it; colours are presentation attributes).

- ``column_chart``: stacked columns per week, the total above each column, a legend.
- ``bar_chart``: one horizontal bar per category, the count at the end of each bar.

Readable at a glance: labelled axes, every value written out, gridlines at round numbers.
The series colours are the Okabe-Ito and Tol colours that keep at least 3:1 contrast
with the white page (WCAG 1.4.11) and stay apart for the common kinds of colour
blindness; stacked parts are separated by a white line, so neighbours need no contrast
between them. Each chart is ``role="img"`` with a title and a description, and the page
follows it with the same numbers as a table.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from markupsafe import Markup, escape

# blue, vermillion, bluish green, indigo, reddish purple, olive, wine; grey for the rest
PALETTE: tuple[str, ...] = (
    "#0072B2",
    "#D55E00",
    "#009E73",
    "#332288",
    "#CC79A7",
    "#999933",
    "#882255",
)
REST_COLOUR = "#6B6B6B"
BAR_COLOUR = "#0B5394"
INK = "#1B1F24"
MUTED = "#4A525C"
GRID = "#D5DAE0"
WIDTH = 960
FONT = 13


@dataclass(frozen=True)
class Stack:
    """One series of a column chart: its label and a value per column."""

    label: str
    values: tuple[int, ...]
    rest: bool = False  # the smallest series summed (grey)


@dataclass(frozen=True)
class Bar:
    code: str
    label: str
    value: int


def nice_scale(largest: int, ticks: int = 5) -> tuple[int, int]:
    """(top, step) of an integer axis from 0: step 1, 2 or 5 times a power of ten, with at
    most ``ticks`` steps, and top the first multiple of step at or above ``largest``."""
    largest = max(largest, 1)
    raw = largest / ticks
    power = 10 ** max(0, math.floor(math.log10(raw))) if raw >= 1 else 1
    step = next(m * power for m in (1, 2, 5, 10) if m * power >= raw)
    return math.ceil(largest / step) * step, step


def merge_rest(stacks: Sequence[Stack], rest_label: str) -> tuple[Stack, ...]:
    """At most as many series as colours: the smallest beyond are summed into one."""
    shown = [s for s in stacks if any(s.values)]
    if len(shown) <= len(PALETTE):
        return tuple(shown)
    keep = sorted(shown, key=lambda s: -sum(s.values))[: len(PALETTE) - 1]
    kept = [s for s in shown if s in keep]
    rest = [s for s in shown if s not in keep]
    summed = tuple(sum(column) for column in zip(*(s.values for s in rest), strict=True))
    return (*kept, Stack(f"{rest_label} ({len(rest)})", summed, rest=True))


def colour(index: int, stack: Stack) -> str:
    return REST_COLOUR if stack.rest else PALETTE[index % len(PALETTE)]


def legend(stacks: Sequence[Stack]) -> Markup:
    items = "".join(
        f'<li><svg class="swatch" width="14" height="14" aria-hidden="true" focusable="false">'
        f'<rect width="14" height="14" fill="{colour(i, s)}"/></svg>'
        f"{escape(s.label)}</li>"
        for i, s in enumerate(stacks)
    )
    return Markup(f'<ul class="legend" aria-hidden="true">{items}</ul>')


def _open(chart_id: str, height: int, title: str, description: str) -> str:
    return (
        f'<svg class="chart" id="{escape(chart_id)}" viewBox="0 0 {WIDTH} {height}" '
        f'width="100%" role="img" aria-labelledby="{escape(chart_id)}-t {escape(chart_id)}-d" '
        f'font-size="{FONT}" fill="{INK}" data-testid="chart-{escape(chart_id)}">'
        f'<title id="{escape(chart_id)}-t">{escape(title)}</title>'
        f'<desc id="{escape(chart_id)}-d">{escape(description)}</desc>'
    )


def column_chart(
    chart_id: str,
    *,
    title: str,
    description: str,
    columns: Sequence[str],
    years: Sequence[str],
    stacks: Sequence[Stack],
    totals: Sequence[int],
    y_label: str,
    x_label: str,
) -> Markup:
    """Stacked columns, one per week; ``columns`` are the short labels under them and
    ``years`` the year to write under a column (where it changes), else ""."""
    height, left, right, top, bottom = 300, 56, 16, 40, 56
    plot_w, plot_h = WIDTH - left - right, height - top - bottom
    scale_top, step = nice_scale(max(totals, default=0))
    slot = plot_w / max(len(columns), 1)
    bar = max(slot * 0.72, 1.0)
    every = max(1, math.ceil(len(columns) / 26))  # a label at least every 26 px or so
    parts = [_open(chart_id, height, title, description)]
    parts.append(f'<text x="{left}" y="16" fill="{MUTED}">{escape(y_label)}</text>')
    for tick in range(0, scale_top + 1, step):
        y = top + plot_h - plot_h * tick / scale_top
        parts.append(
            f'<line x1="{left}" x2="{WIDTH - right}" y1="{y:.1f}" y2="{y:.1f}" '
            f'stroke="{GRID if tick else MUTED}"/>'
            f'<text x="{left - 6}" y="{y + 4:.1f}" text-anchor="end">{tick}</text>'
        )
    for index, total in enumerate(totals):
        x = left + slot * index + (slot - bar) / 2
        base = float(top + plot_h)
        for number, stack in enumerate(stacks):
            value = stack.values[index]
            if not value:
                continue
            size = plot_h * value / scale_top
            base -= size
            parts.append(
                f'<rect class="segment" x="{x:.1f}" y="{base:.1f}" width="{bar:.1f}" '
                f'height="{size:.1f}" fill="{colour(number, stack)}" stroke="#fff" '
                f'stroke-width="1" data-column="{index}" data-value="{value}">'
                f"<title>{escape(columns[index])} {escape(years[index])} · "
                f"{escape(stack.label)}: {value}</title></rect>"
            )
        centre = left + slot * index + slot / 2
        if slot >= 14 and (total or len(columns) <= 26):  # many weeks: no "0" over each
            parts.append(
                f'<text class="value" x="{centre:.1f}" y="{base - 5:.1f}" text-anchor="middle" '
                f'font-size="{11 if slot < 24 else FONT}" data-column="{index}">{total}</text>'
            )
        if index % every == 0 or years[index]:
            label_y = top + plot_h + 18
            parts.append(
                f'<text x="{centre:.1f}" y="{label_y}" text-anchor="middle" font-size="11">'
                f"{escape(columns[index])}</text>"
            )
            if years[index]:
                parts.append(
                    f'<text x="{centre:.1f}" y="{label_y + 15}" text-anchor="middle" '
                    f'font-size="11" fill="{MUTED}">{escape(years[index])}</text>'
                )
    parts.append(
        f'<text x="{WIDTH - right}" y="{height - 4}" text-anchor="end" fill="{MUTED}">'
        f"{escape(x_label)}</text></svg>"
    )
    return Markup("".join(parts))


def _lines(label: str, width: int) -> list[str]:
    """A label in at most two lines of about ``width`` characters."""
    if len(label) <= width:
        return [label]
    cut = label.rfind(" ", 0, width + 1)
    cut = cut if cut > 0 else width
    rest = label[cut:].strip()
    return [label[:cut].strip(), rest if len(rest) <= width else rest[: width - 1] + "…"]


def bar_chart(
    chart_id: str, *, title: str, description: str, bars: Sequence[Bar], x_label: str
) -> Markup:
    """One horizontal bar per category, its count written after it."""
    chars = 40
    wrapped = [_lines(b.label, chars) for b in bars]
    longest = max((len(line) for lines in wrapped for line in lines), default=10)
    label_w = min(int(longest * 7.4) + 16, 340)
    row = 40 if any(len(lines) > 1 for lines in wrapped) else 30
    top, bottom, right = 8, 40, 56
    height = top + row * max(len(bars), 1) + bottom
    left, plot_w = label_w, WIDTH - label_w - right
    scale_top, step = nice_scale(max((b.value for b in bars), default=0))
    plot_bottom = top + row * len(bars)
    parts = [_open(chart_id, height, title, description)]
    for tick in range(0, scale_top + 1, step):
        x = left + plot_w * tick / scale_top
        parts.append(
            f'<line x1="{x:.1f}" x2="{x:.1f}" y1="{top}" y2="{plot_bottom}" '
            f'stroke="{GRID if tick else MUTED}"/>'
            f'<text x="{x:.1f}" y="{plot_bottom + 16}" text-anchor="middle">{tick}</text>'
        )
    for index, (item, lines) in enumerate(zip(bars, wrapped, strict=True)):
        y = top + row * index
        middle = y + row / 2
        first = middle + 4 - (len(lines) - 1) * 8
        for number, line in enumerate(lines):
            parts.append(
                f'<text x="{left - 8}" y="{first + number * 16:.1f}" text-anchor="end">'
                f"{escape(line)}</text>"
            )
        size = plot_w * item.value / scale_top
        if item.value:
            parts.append(
                f'<rect class="bar" x="{left}" y="{y + 5}" width="{size:.1f}" height="{row - 10}" '
                f'fill="{BAR_COLOUR}" data-code="{escape(item.code)}" data-value="{item.value}">'
                f"<title>{escape(item.label)}: {item.value}</title></rect>"
            )
        parts.append(
            f'<text class="value" x="{left + size + 6:.1f}" y="{middle + 4:.1f}" '
            f'data-code="{escape(item.code)}">{item.value}</text>'
        )
    parts.append(
        f'<text x="{WIDTH - right}" y="{height - 4}" text-anchor="end" fill="{MUTED}">'
        f"{escape(x_label)}</text></svg>"
    )
    return Markup("".join(parts))
