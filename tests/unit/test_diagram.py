from __future__ import annotations

from pathlib import Path

from core.diagram import flows_markdown, lifecycle_markdown

DOC = Path(__file__).resolve().parents[2] / "docs" / "flows.md"
LIFECYCLE = DOC.with_name("lifecycle.md")


def test_committed_flow_diagram_is_generated_from_the_data() -> None:
    assert DOC.read_text(encoding="utf-8") == flows_markdown(), "run `make flows`"


def test_every_step_appears_in_the_diagram() -> None:
    text = flows_markdown()
    for step_id in ["danger_info", "person_contact", "reporter_phone", "self_phone", "summary"]:
        assert step_id in text


def test_committed_lifecycle_diagram_is_generated_from_the_data() -> None:
    assert LIFECYCLE.read_text(encoding="utf-8") == lifecycle_markdown(), "run `make flows`"


def test_every_status_appears_in_the_lifecycle_diagram() -> None:
    text = lifecycle_markdown()
    for status in ("new", "claimed", "in_contact", "referred", "closed", "cannot_follow_up"):
        assert f"{status} -->" in text or f"--> {status}" in text
    assert "reopened --> in_contact: contact" in text


def test_committed_whatsapp_templates_are_generated_from_the_catalogs() -> None:
    from bot.channels.whatsapp.templates import templates_markdown
    from bot.i18n import load_catalogs

    committed = DOC.with_name("whatsapp-templates.md").read_text(encoding="utf-8")
    assert committed == templates_markdown(load_catalogs()), "run `make flows`"
