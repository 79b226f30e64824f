"""Small numbers hidden in what leaves the building (the CSV files, the council report): in
a small village "2 signals about someone of 75+ in Westdorpe" points at a person.

A count of 1 to 4 is shown as "< 5". Where the counts of a table add up to a total that is
shown as well, one hidden count could be worked out from the others, so then the smallest
other count is hidden too, as "×" (CBS's sign for a figure kept secret). A time measured
over fewer than 5 signals is not shown either: it would be one person's time.
"""

from __future__ import annotations

from collections.abc import Sequence

SMALLEST = 5  # the smallest count shown
SMALL = "< 5"
SECRET = "×"
Shown = int | str


def shown_count(count: int) -> Shown:
    """A single count: itself, or "< 5" for 1 to 4."""
    return SMALL if 0 < count < SMALLEST else count


def _lines(rows: int, columns: int, by_columns: bool) -> list[list[tuple[int, int]]]:
    lines = [[(r, c) for c in range(columns)] for r in range(rows)]
    if by_columns:
        lines += [[(r, c) for r in range(rows)] for c in range(columns)]
    return lines


def protect_table(
    counts: Sequence[Sequence[int]], *, row_totals: bool = True, column_totals: bool = True
) -> list[list[Shown]]:
    """``counts`` (rows of equal length) with small counts hidden, and as many others as it
    takes that no hidden count follows from a row's or column's total (when that total is
    published: ``row_totals``, ``column_totals``)."""
    rows = [list(row) for row in counts]
    hidden = {(r, c) for r, row in enumerate(rows) for c, n in enumerate(row) if 0 < n < SMALLEST}
    secret: set[tuple[int, int]] = set()
    lines = _lines(len(rows), len(rows[0]) if rows else 0, column_totals)
    if not row_totals:
        lines = lines[len(rows) :]
    changed = True
    while changed:
        changed = False
        for line in lines:
            alone = [cell for cell in line if cell in hidden | secret]
            if len(alone) != 1:
                continue
            visible = [
                cell for cell in line if cell not in hidden | secret and rows[cell[0]][cell[1]]
            ]
            if visible:
                secret.add(min(visible, key=lambda cell: rows[cell[0]][cell[1]]))
                changed = True
    return [
        [
            SMALL if (r, c) in hidden else SECRET if (r, c) in secret else n
            for c, n in enumerate(row)
        ]
        for r, row in enumerate(rows)
    ]


def protect_list(counts: Sequence[int], *, adds_up: bool) -> list[Shown]:
    """A list of counts; ``adds_up``: they add up to a total that is shown (one signal in
    one category each), so one hidden count takes another with it."""
    table = protect_table([[n] for n in counts], row_totals=False, column_totals=adds_up)
    return [row[0] for row in table]


def shown_time(value: str, measured: int) -> str:
    """A time (or share) measured over ``measured`` signals: hidden below 5 (nothing
    measured: nothing to hide)."""
    return value if not value or not measured or measured >= SMALLEST else SMALL
