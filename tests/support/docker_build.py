"""The Docker build's inputs read as Docker reads them, for the deployment tests: the
Dockerfile's stages, instructions and COPY steps, and .dockerignore's rules."""

from __future__ import annotations

import json
import re
import shlex
from dataclasses import dataclass, field
from functools import cache
from pathlib import PurePosixPath

from tests.support.deployment_files import DOCKERFILE, DOCKERIGNORE

# --- the Dockerfile ------------------------------------------------------------------------


@dataclass
class Instruction:
    keyword: str
    args: str
    line: int

    def exec_form(self) -> list[str]:
        value = json.loads(self.args)
        assert isinstance(value, list)
        return [str(v) for v in value]


@dataclass
class Stage:
    base: str
    name: str | None
    instructions: list[Instruction] = field(default_factory=list)

    def all(self, keyword: str) -> list[Instruction]:
        return [i for i in self.instructions if i.keyword == keyword]


def parse_dockerfile(text: str) -> list[Stage]:
    """Stages and their instructions; comments dropped, continuation lines joined."""
    logical: list[tuple[int, str]] = []
    pending: list[str] = []
    start = 0
    for number, raw in enumerate(text.splitlines(), 1):
        line = raw.strip()
        if line.startswith("#") or (not line and not pending):
            continue  # Docker drops comment lines inside a continued instruction too
        if not pending:
            start = number
        if line.endswith("\\"):
            pending.append(line[:-1].strip())
            continue
        pending.append(line)
        logical.append((start, " ".join(p for p in pending if p)))
        pending = []
    assert not pending, "the Dockerfile ends inside a continued line"
    stages: list[Stage] = []
    for number, line in logical:
        keyword, _, args = line.partition(" ")
        keyword = keyword.upper()
        if keyword == "FROM":
            words = args.split()
            words = [w for w in words if not w.startswith("--")]
            name = words[2] if len(words) == 3 and words[1].upper() == "AS" else None
            stages.append(Stage(words[0], name))
        else:
            assert stages, f"line {number}: {keyword} before FROM"
            stages[-1].instructions.append(Instruction(keyword, args.strip(), number))
    return stages


@cache
def dockerfile() -> tuple[Stage, ...]:
    return tuple(parse_dockerfile(DOCKERFILE.read_text(encoding="utf-8")))


def runtime() -> Stage:
    return dockerfile()[-1]


@dataclass(frozen=True)
class Copy:
    sources: list[str]
    dest: str
    into: bool  # dest is a directory that files are copied into (dest/ or several sources)
    source_stage: str | None
    workdir: str


def copies(stage: Stage) -> list[Copy]:
    found: list[Copy] = []
    workdir = "/"
    for instruction in stage.instructions:
        if instruction.keyword == "WORKDIR":
            workdir = str(PurePosixPath(workdir) / instruction.args)
        if instruction.keyword != "COPY":
            continue
        words = shlex.split(instruction.args)
        flags = [w for w in words if w.startswith("--")]
        paths = [w for w in words if not w.startswith("--")]
        origin = next((f.split("=", 1)[1] for f in flags if f.startswith("--from=")), None)
        dest = str(PurePosixPath(workdir) / paths[-1])
        into = paths[-1].endswith("/") or len(paths) > 2
        found.append(Copy(paths[:-1], dest, into, origin, workdir))
    return found


def env_names(stage: Stage) -> set[str]:
    names: set[str] = set()
    for instruction in stage.all("ENV") + stage.all("ARG"):
        words = shlex.split(instruction.args)
        if instruction.keyword == "ENV" and len(words) >= 2 and "=" not in words[0]:
            names.add(words[0])  # the legacy "ENV NAME value" form
        else:
            names |= {w.split("=", 1)[0] for w in words}
    return names


def dockerfile_env_names() -> set[str]:
    return set().union(*(env_names(stage) for stage in dockerfile()))


# --- .dockerignore -------------------------------------------------------------------------


def _dockerignore_regex(pattern: str) -> re.Pattern[str]:
    """A .dockerignore pattern as Docker reads it: * and ? within one path segment, **
    across any number of them."""
    out = ""
    index = 0
    while index < len(pattern):
        if pattern.startswith("**/", index):
            out += "(?:.*/)?"
            index += 3
        elif pattern.startswith("**", index):
            out += ".*"
            index += 2
        elif pattern[index] == "*":
            out += "[^/]*"
            index += 1
        elif pattern[index] == "?":
            out += "[^/]"
            index += 1
        else:
            out += re.escape(pattern[index])
            index += 1
    return re.compile(out)


@cache
def dockerignore() -> tuple[tuple[bool, re.Pattern[str]], ...]:
    rules: list[tuple[bool, re.Pattern[str]]] = []
    for raw in DOCKERIGNORE.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        negated = line.startswith("!")
        pattern = line.lstrip("!").strip().strip("/")
        rules.append((negated, _dockerignore_regex(pattern)))
    return tuple(rules)


def ignored(path: str) -> bool:
    """Whether a path of the checkout stays out of the build context: the last rule that
    matches the path or one of its parent directories decides."""
    parts = PurePosixPath(path).parts
    prefixes = ["/".join(parts[: n + 1]) for n in range(len(parts))]
    result = False
    for negated, regex in dockerignore():
        if any(regex.fullmatch(prefix) for prefix in prefixes):
            result = not negated
    return result
