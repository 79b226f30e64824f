"""docs/architecture.md draws every package; these tests keep the drawing and the code in
step: every package it names exists and every package on disk is named, every package says
what it holds and what it may import, and no module imports upward."""

from __future__ import annotations

import ast
import re
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
ARCHITECTURE = ROOT / "docs" / "architecture.md"
# The project's own top-level packages; the product is the first three.
PRODUCT = ("core", "storage", "bot")
TOP_LEVEL = (*PRODUCT, "tests", "bench")
SHELL_TOP_MODULES = 8  # the shell's top level holds its foundations only

_ENTRY = re.compile(r"^(?P<indent> *)(?P<name>[A-Za-z_][\w.]*)/ {2,}(?P<what>\S.*)$")


def documented_tree(text: str) -> dict[str, str]:
    """The packages of the first ``text`` block under "## The tree": dotted name -> its line.
    Two spaces of indentation make a subpackage."""
    section = text.split("\n## The tree\n", 1)[1]
    block = section.split("```text\n", 1)[1].split("```", 1)[0]
    tree: dict[str, str] = {}
    parents: list[str] = []
    for number, line in enumerate(block.splitlines(), start=1):
        match = _ENTRY.match(line)
        assert match, f"line {number} of the tree is not 'name/  what it holds': {line!r}"
        depth, rest = divmod(len(match["indent"]), 2)
        assert rest == 0, f"line {number}: indentation {line!r}"
        assert depth <= len(parents), f"line {number}: indentation {line!r}"
        parents[depth:] = [match["name"]]
        tree[".".join(parents)] = match["what"]
    return tree


def packages_on_disk() -> set[str]:
    found = set()
    for top in TOP_LEVEL:
        for init in (ROOT / top).rglob("__init__.py"):
            if "node_modules" not in init.parts:
                found.add(".".join(init.parent.relative_to(ROOT).parts))
    return found


def docstring(package: str) -> str:
    init = ROOT.joinpath(*package.split("."), "__init__.py")
    return ast.get_docstring(ast.parse(init.read_text(encoding="utf-8"))) or ""


# -- the tree -------------------------------------------------------------------------------


def test_every_documented_package_exists() -> None:
    missing = set(documented_tree(ARCHITECTURE.read_text(encoding="utf-8"))) - packages_on_disk()
    assert not missing, f"docs/architecture.md names packages that do not exist: {missing}"


def test_every_package_is_documented() -> None:
    documented = set(documented_tree(ARCHITECTURE.read_text(encoding="utf-8")))
    missing = packages_on_disk() - documented
    assert not missing, f"add these packages to the tree in docs/architecture.md: {missing}"


def test_the_tree_is_read_as_drawn() -> None:
    tree = documented_tree(
        "\n## The tree\n```text\na/  first\n  b/  second\n    c/  third\n  d/  fourth\n```\n"
    )
    assert tree == {"a": "first", "a.b": "second", "a.b.c": "third", "a.d": "fourth"}
    with pytest.raises(AssertionError, match="not 'name/"):
        documented_tree("\n## The tree\n```text\na/ too close\n```\n")
    with pytest.raises(AssertionError, match="indentation"):
        documented_tree("\n## The tree\n```text\na/  first\n    c/  skips a level\n```\n")


def test_every_package_says_what_it_holds_and_what_it_may_import() -> None:
    undocumented = sorted(p for p in packages_on_disk() if not docstring(p).strip())
    assert not undocumented, f"packages without a docstring: {undocumented}"
    silent = sorted(
        p
        for p in packages_on_disk()
        if p.split(".")[0] in PRODUCT and "may import" not in docstring(p).casefold()
    )
    assert not silent, f'say what these may import ("May import: ..."): {silent}'


def test_the_shells_top_level_holds_its_foundations_only() -> None:
    modules = sorted(p.stem for p in (ROOT / "bot").glob("*.py") if p.stem != "__init__")
    assert len(modules) <= SHELL_TOP_MODULES, modules


# -- the imports ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Import:
    module: str  # the importing module
    target: str  # what it imports: a module of ours, or a top-level library
    line: int


def _module_name(path: Path) -> tuple[str, str]:
    """The module's dotted name and the package its relative imports start from."""
    parts = path.relative_to(ROOT).with_suffix("").parts
    if parts[-1] == "__init__":
        name = ".".join(parts[:-1])
        return name, name
    return ".".join(parts), ".".join(parts[:-1])


@cache
def modules() -> dict[str, Path]:
    found = {}
    for top in PRODUCT:
        for path in (ROOT / top).rglob("*.py"):
            found[_module_name(path)[0]] = path
    return found


def imports() -> Iterator[Import]:
    """Every import of the product's modules, in functions and TYPE_CHECKING blocks too."""
    ours = modules()
    for name, path in ours.items():
        package = _module_name(path)[1]
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                for alias in node.names:
                    yield Import(name, _ours_or_library(alias.name, ours), node.lineno)
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    up = package.split(".")[: len(package.split(".")) - (node.level - 1)]
                    base = ".".join([*up, *([node.module] if node.module else [])])
                for alias in node.names:
                    full = f"{base}.{alias.name}"
                    target = full if full in ours else base
                    yield Import(name, _ours_or_library(target, ours), node.lineno)


def _ours_or_library(target: str, ours: dict[str, Path]) -> str:
    while target not in ours and "." in target:
        target = target.rsplit(".", 1)[0]
    return target


def within(name: str, package: str) -> bool:
    return name == package or name.startswith(package + ".")


# Lowest first. A module imports only from its own layer or from below.
LAYERS: tuple[tuple[str, ...], ...] = (
    ("core.text",),
    ("core.dialog",),
    ("core.lifecycle",),
    ("core.followup",),
    ("core.monitoring",),
    ("core.diagram", "core.channel_texts", "core"),
    ("storage",),
    (
        "bot.settings",
        "bot.i18n",
        "bot.logs",
        "bot.ports",
        "bot.rendering",
        "bot.buttons",
        "bot.web",
        "bot.mail",
        "bot.sso",
        "bot.voice",
    ),
    ("bot.outbox",),
    ("bot.reporting", "bot.staff", "bot.followup"),
    ("bot.app",),
    ("bot.channels", "bot.dashboard"),
    ("bot.bootstrap",),
    ("bot.cli", "bot"),
)
SELF_CONTAINED = ("bot.mail", "bot.sso", "bot.voice")
# I/O the pure core never touches; it may use the standard library and these.
CORE_LIBRARIES = frozenset({"babel", "phonenumbers"})


def layer(name: str) -> int:
    """The layer of a module: the most specific package of ``LAYERS`` it is in."""
    best, depth = -1, -1
    for index, packages in enumerate(LAYERS):
        for package in packages:
            if within(name, package) and package.count(".") > depth:
                best, depth = index, package.count(".")
    assert best >= 0, f"{name} is in no layer: add its package to LAYERS"
    return best


def project_imports() -> list[Import]:
    return [i for i in imports() if i.target.split(".")[0] in PRODUCT]


def test_every_module_is_in_a_layer() -> None:
    for name in modules():
        layer(name)


def test_no_module_imports_upward() -> None:
    upward = [
        f"{i.module}:{i.line} imports {i.target}"
        for i in project_imports()
        if layer(i.target) > layer(i.module)
    ]
    assert not upward, "\n".join(upward)


def test_the_core_is_pure() -> None:
    stdlib = sys.stdlib_module_names
    impure = [
        f"{i.module}:{i.line} imports {i.target}"
        for i in imports()
        if within(i.module, "core")
        and i.target.split(".")[0] not in PRODUCT
        and i.target.split(".")[0] not in stdlib | CORE_LIBRARIES
    ]
    assert not impure, "\n".join(impure)


def test_mail_sso_and_voice_import_nothing_else_of_the_project() -> None:
    leaks = [
        f"{i.module}:{i.line} imports {i.target}"
        for i in project_imports()
        for package in SELF_CONTAINED
        if within(i.module, package) and not within(i.target, package)
    ]
    assert not leaks, "\n".join(leaks)


def _channel(name: str) -> str | None:
    parts = name.split(".")
    return ".".join(parts[:3]) if within(name, "bot.channels") and len(parts) > 3 else None


def test_a_channel_imports_no_other_channel_and_the_dashboard_none() -> None:
    crossing = []
    for i in project_imports():
        target = _channel(i.target)
        if target is None:
            continue
        if (
            within(i.module, "bot.dashboard")
            or _channel(i.module) not in (None, target)
            or within(i.module, "bot.channels.channel")
        ):
            crossing.append(f"{i.module}:{i.line} imports {i.target}")
    assert not crossing, "\n".join(crossing)


def test_the_outbox_imports_no_other_service() -> None:
    others = ("bot.reporting", "bot.staff", "bot.followup")
    found = [
        f"{i.module}:{i.line} imports {i.target}"
        for i in project_imports()
        if within(i.module, "bot.outbox") and any(within(i.target, o) for o in others)
    ]
    assert not found, "\n".join(found)


def test_the_layer_rules_catch_an_upward_import() -> None:
    # The rules themselves, on names: a service reaching up to a channel, the core to storage.
    assert layer("bot.channels.telegram.updates") > layer("bot.staff.actions")
    assert layer("storage.signals") > layer("core.dialog.draft")
    assert layer("core.dialog.engine") < layer("core.lifecycle.table")
    assert layer("bot.app") < layer("bot.bootstrap.build") < layer("bot.cli.main")
    assert _channel("bot.channels.telegram.updates") == "bot.channels.telegram"
    assert _channel("bot.channels.channel") is None
