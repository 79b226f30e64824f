"""The SVG charts: round axis steps, escaped labels, every value written, colours with
enough contrast, and series beyond the palette merged (for the chart only)."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.dashboard.monitoring import charts

SVG = "{http://www.w3.org/2000/svg}"


def contrast(colour: str, other: str = "#FFFFFF") -> float:
    def luminance(value: str) -> float:
        channels = [int(value[i : i + 2], 16) / 255 for i in (1, 3, 5)]
        linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
        return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]

    high, low = sorted((luminance(colour), luminance(other)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def parse(markup: str) -> ET.Element:
    return ET.fromstring(str(markup).replace("<svg ", f'<svg xmlns="{SVG[1:-1]}" ', 1))


@given(st.integers(0, 10**7))
def test_the_scale_covers_the_largest_value_in_round_steps(largest: int) -> None:
    top, step = charts.nice_scale(largest)
    assert top >= largest
    assert top % step == 0
    assert top // step <= 5
    assert str(step).rstrip("0") in ("1", "2", "5")


def test_palette_contrast_with_the_page() -> None:
    for colour in (*charts.PALETTE, charts.REST_COLOUR, charts.BAR_COLOUR):
        assert contrast(colour) >= 3, colour  # WCAG 1.4.11 for graphical objects
    assert contrast(charts.INK) >= 4.5
    assert contrast(charts.MUTED) >= 4.5


def test_a_bar_chart_writes_every_value_and_escapes_labels() -> None:
    bars = [
        charts.Bar("a", "<script>alert(1)</script>", 3),
        charts.Bar("b", "Not seen for days, curtains closed, mail piling up", 12),
        charts.Bar("c", "Nothing", 0),
    ]
    markup = charts.bar_chart(
        "chart-x", title="Title & more", description="15 in all", bars=bars, x_label="Signals"
    )
    assert "<script>" not in markup
    root = parse(markup)
    assert root.get("role") == "img"
    assert root.find(f"{SVG}title").text == "Title & more"  # type: ignore[union-attr]
    rects = root.findall(f".//{SVG}rect[@class='bar']")
    assert [(r.get("data-code"), r.get("data-value")) for r in rects] == [("a", "3"), ("b", "12")]
    values = {t.get("data-code"): t.text for t in root.iter(f"{SVG}text") if t.get("class")}
    assert values == {"a": "3", "b": "12", "c": "0"}
    # The long label is wrapped on two lines, not cut.
    lines = [t.text for t in root.iter(f"{SVG}text") if t.text and "curtains" in t.text]
    assert lines == ["Not seen for days, curtains closed, mail"]


def test_a_column_chart_stacks_the_series() -> None:
    stacks = [charts.Stack("Shop", (1, 0, 2)), charts.Stack("Self", (0, 0, 3))]
    markup = charts.column_chart(
        "chart-w",
        title="Per week",
        description="6 signals",
        columns=["wk 1", "wk 2", "wk 3"],
        years=["2026", "", ""],
        stacks=stacks,
        totals=[1, 0, 5],
        y_label="Signals",
        x_label="Week",
    )
    root = parse(markup)
    segments = root.findall(f".//{SVG}rect[@class='segment']")
    assert [(s.get("data-column"), s.get("data-value")) for s in segments] == [
        ("0", "1"),
        ("2", "2"),
        ("2", "3"),
    ]
    assert [t.text for t in root.iter(f"{SVG}text") if t.get("class") == "value"] == ["1", "0", "5"]
    assert {s.get("fill") for s in segments} == {charts.PALETTE[0], charts.PALETTE[1]}


@pytest.mark.parametrize("count", [3, 7, 8, 12])
def test_series_beyond_the_palette_are_merged(count: int) -> None:
    stacks = [charts.Stack(f"s{i}", (i + 1, 1)) for i in range(count)]
    stacks.append(charts.Stack("empty", (0, 0)))
    merged = charts.merge_rest(stacks, "Others")
    assert len(merged) == min(count, len(charts.PALETTE))
    assert sum(sum(s.values) for s in merged) == sum(sum(s.values) for s in stacks)
    if count > len(charts.PALETTE):
        assert merged[-1].label == f"Others ({count - len(charts.PALETTE) + 1})"
        assert charts.colour(len(merged) - 1, merged[-1]) == charts.REST_COLOUR
        assert len({charts.colour(i, s) for i, s in enumerate(merged)}) == len(merged)
