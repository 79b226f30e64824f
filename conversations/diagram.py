"""The flow diagram, generated from the flow data (Mermaid, rendered by GitHub)."""

from __future__ import annotations

from .flows import FLOWS
from .model import Flow, Kind


def flow_mermaid(flow: Flow) -> str:
    """A Mermaid flowchart of one flow: steps in order, conditions on the edges."""
    lines = ["flowchart TD"]
    steps = flow.steps
    for step in steps:
        shape = ("{{", "}}") if step.kind == Kind.INFO else ("[", "]")
        lines.append(f'    {step.id}{shape[0]}"{step.id} ({step.kind.value})"{shape[1]}')
    for index, step in enumerate(steps[:-1]):
        for later in steps[index + 1 :]:
            if later.when is None:
                lines.append(f"    {step.id} --> {later.id}")
                break
            label = "/".join(sorted(later.when.choices))
            lines.append(f"    {step.id} -- {later.when.step}={label} --> {later.id}")
    lines.append("    summary -- send --> done((stored + loket notified))")
    lines.append("    summary -- change --> edit[[pick an answer]] --> summary")
    return "\n".join(lines)


def flows_markdown() -> str:
    parts = [
        "# Conversation flows\n",
        "Generated from `conversations/flows.py` by `signaalpunt flows`; do not edit.\n",
    ]
    for flow in FLOWS.values():
        parts.append(f"## {flow.id} (signal kind: {flow.signal_kind})\n")
        parts.append("```mermaid\n" + flow_mermaid(flow) + "\n```\n")
    return "\n".join(parts)
