from __future__ import annotations

from pathlib import Path

from conversations.diagram import flows_markdown

DOC = Path(__file__).resolve().parents[2] / "docs" / "flows.md"


def test_committed_flow_diagram_is_generated_from_the_data() -> None:
    assert DOC.read_text(encoding="utf-8") == flows_markdown(), "run `make flows`"


def test_every_step_appears_in_the_diagram() -> None:
    text = flows_markdown()
    for step_id in ["danger_info", "person_contact", "reporter_phone", "self_phone", "summary"]:
        assert step_id in text
