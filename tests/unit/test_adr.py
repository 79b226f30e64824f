"""The decision records in docs/adr/: each has its date, status and four sections, the
index lists every one as it is, and the numbers run 0001, 0002, ... without gaps."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pytest

ADR = Path(__file__).resolve().parents[2] / "docs" / "adr"
TEMPLATE = ADR / "0000-template.md"
INDEX = ADR / "README.md"
SECTIONS = ("Status", "Context", "Decision", "Consequences")
FILENAME = re.compile(r"(\d{4})-[a-z0-9]+(?:-[a-z0-9]+)*\.md")
STATUS = re.compile(r"Accepted\b|Deprecated\b|Superseded by \[(\d{4})\]\((\d{4}-[^)]+\.md)\)")
ROW = re.compile(r"\| \[(\d{4})\]\(([^)]+)\) \| (.+) \| (.+) \| (.+) \|")
LINK = re.compile(r"\]\(([^)#\s]+)(?:#[^)]*)?\)")


@dataclass(frozen=True)
class Record:
    path: Path
    number: str
    title: str
    day: str
    status: str
    sections: dict[str, str]


def sections_of(text: str) -> dict[str, str]:
    """Each level-2 heading's body; a heading that occurs twice fails here."""
    parts = re.split(r"^## (.+)$", text, flags=re.MULTILINE)
    names = parts[1::2]
    assert len(names) == len(set(names)), f"a section occurs twice: {names}"
    return {name.strip(): body.strip() for name, body in zip(names, parts[2::2], strict=True)}


def read(path: Path) -> Record:
    text = path.read_text(encoding="utf-8")
    heading = re.match(r"# (\d{4})\. (\S.*)\n", text)
    assert heading, f"{path.name}: the first line is not '# NNNN. Title'"
    dated = re.search(r"^Date: (\d{4}-\d{2}-\d{2})\b", text, flags=re.MULTILINE)
    assert dated, f"{path.name}: no 'Date: YYYY-MM-DD' line"
    sections = sections_of(text)
    found = STATUS.match(sections.get("Status", ""))
    assert found, f"{path.name}: the status is not Accepted, Deprecated or Superseded by [NNNN]"
    status = f"Superseded by {found[1]}" if found[1] else found[0]
    return Record(path, heading[1], heading[2], dated[1], status, sections)


def records() -> list[Path]:
    return sorted(p for p in ADR.glob("*.md") if p not in (TEMPLATE, INDEX))


@pytest.mark.parametrize("path", records(), ids=lambda p: p.stem[:4])
def test_a_record_has_its_number_date_status_and_four_sections(path: Path) -> None:
    name = FILENAME.fullmatch(path.name)
    assert name, f"{path.name}: not NNNN-short-title.md"
    record = read(path)
    assert record.number == name[1], f"{path.name}: its heading says {record.number}"
    date.fromisoformat(record.day)
    assert [s for s in record.sections if s in SECTIONS] == list(SECTIONS), path.name
    assert all(record.sections[s] for s in SECTIONS), f"{path.name}: an empty section"


def test_numbers_are_unique_and_consecutive() -> None:
    numbers = [int(p.name[:4]) for p in records()]
    assert numbers == list(range(1, len(numbers) + 1))


def test_a_superseded_record_names_a_record_that_says_it_supersedes_it() -> None:
    for record in map(read, records()):
        found = STATUS.match(record.sections["Status"])
        assert found
        if found[2]:
            newer = ADR / found[2]
            assert newer.is_file(), f"{record.path.name}: no record {found[2]}"
            assert newer != record.path, f"{record.path.name} supersedes itself"
            assert f"({record.path.name})" in newer.read_text(encoding="utf-8"), (
                f"{found[2]} does not refer back to {record.path.name}"
            )


def test_the_index_lists_every_record_as_it_is() -> None:
    rows = [ROW.fullmatch(line) for line in INDEX.read_text(encoding="utf-8").splitlines()]
    listed = {row[2]: row for row in rows if row}
    assert sorted(listed) == [p.name for p in records()]
    for record in map(read, records()):
        row = listed[record.path.name]
        title = row[3].replace("\\|", "|")
        assert (row[1], title, row[4], row[5]) == (
            record.number,
            record.title,
            record.status,
            record.day,
        ), f"the index row of {record.path.name} is out of date"


def test_the_template_has_the_sections() -> None:
    assert list(sections_of(TEMPLATE.read_text(encoding="utf-8"))) == list(SECTIONS)


def test_relative_links_in_the_records_resolve() -> None:
    for path in [*records(), TEMPLATE, INDEX]:
        text = re.sub(r"<!--.*?-->", "", path.read_text(encoding="utf-8"), flags=re.DOTALL)
        for target in LINK.findall(text):
            if "://" not in target and not target.startswith("mailto:"):
                assert (path.parent / target).exists(), f"{path.name}: broken link {target}"
