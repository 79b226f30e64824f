"""The flow and lifecycle diagrams, generated from their data (Mermaid, rendered by GitHub)."""

from __future__ import annotations

from core.dialog.dialogs import STARTS, WELCOME
from core.dialog.flows import FLOWS
from core.dialog.model import Flow, Kind

from .lifecycle import table as lc


def flow_mermaid(flow: Flow) -> str:
    """A Mermaid flowchart of one flow: steps in order, conditions on the edges; the
    welcome choices that start it (and what they answer), the steps answered within
    another one in a chat (dotted), and the answers a choice gives to other steps."""
    lines = ["flowchart TD"]
    steps = flow.steps
    for choice in WELCOME.choices:
        if STARTS.get(choice.id) == flow.id:
            given = ", ".join(f"{step}={answer}" for step, answer in choice.sets)
            label = f"{choice.id}: {given}" if given else choice.id
            lines.append(f'    welcome(("welcome")) -- "{label}" --> {steps[0].id}')
    for step in steps:
        shape = ("{{", "}}") if step.kind == Kind.INFO else ("[", "]")
        lines.append(f'    {step.id}{shape[0]}"{step.id} ({step.kind.value})"{shape[1]}')
        if step.part_of:
            lines.append(f"    {step.part_of} -. in the chat, answered within .-> {step.id}")
        for choice in step.choices:
            for target, answer in choice.sets:
                lines.append(f'    {step.id} -. "{choice.id} sets {answer}" .-> {target}')
    for index, step in enumerate(steps[:-1]):
        for later in steps[index + 1 :]:
            if later.when is None:
                lines.append(f"    {step.id} --> {later.id}")
                break
            label = "/".join(sorted(later.when.choices))
            lines.append(f"    {step.id} -- {later.when.step}={label} --> {later.id}")
    lines.append("    summary -- send --> done((stored + loket notified))")
    lines.append("    summary -. send at the daily signal limit .-> summary")
    lines.append("    summary -- change --> edit[[pick an answer]] --> summary")
    return "\n".join(lines)


def flows_markdown() -> str:
    parts = [
        "# Conversation flows\n",
        "Generated from `core/dialog/flows.py` by `signaalpunt flows`; do not edit.\n",
        "A question already answered (by the welcome choice, a partner's link, or another "
        "choice) is passed by; the summary shows it, and it can be changed there. Dotted: "
        "in a chat, answered within another question (asked on its own in the telephone "
        "intake, and when changed from the summary).\n",
    ]
    for flow in FLOWS.values():
        parts.append(f"## {flow.id} (signal kind: {flow.signal_kind})\n")
        parts.append("```mermaid\n" + flow_mermaid(flow) + "\n```\n")
    return "\n".join(parts)


def lifecycle_mermaid() -> str:
    """A Mermaid state diagram of the signal lifecycle: every status change in the table."""
    lines = ["stateDiagram-v2", "    [*] --> new: signal stored"]
    for source, action, target in lc.transitions():
        options = lc.ACTIONS[action].options
        suffix = f" ({len(options)} options)" if options else ""
        lines.append(f"    {source} --> {target}: {action}{suffix}")
    for status in sorted(lc.FINISHED_STATUSES):
        lines.append(f"    {status} --> [*]")
    return "\n".join(lines)


def lifecycle_markdown() -> str:
    """The lifecycle page: the diagram, then the actions that do not change the status and
    the options of the actions that need one."""
    parts = [
        "# Signal lifecycle\n",
        "Generated from `core/lifecycle/table.py` by `signaalpunt flows`; do not edit.\n",
        "```mermaid\n" + lifecycle_mermaid() + "\n```\n",
        "## Actions that keep the status\n",
    ]
    for action in lc.ACTIONS.values():
        if action.target is None:
            sources = ", ".join(sorted(action.sources))
            parts.append(f"- `{action.id}` ({action.label}): from {sources}")
    parts.append("\n## Options\n")
    for action in lc.ACTIONS.values():
        if action.options:
            parts.append(f"- `{action.id}`: " + ", ".join(f"`{o}`" for o in action.options))
    roles = ", ".join(f"`{r}`" for r in lc.ROLES)
    parts.append(
        f"\nRoles: {roles}. Loket staff may act only on signals they picked up; a regisseur "
        "or admin may always. A reporter's check-in answer may `reopen` a finished signal.\n"
    )
    return "\n".join(parts)
