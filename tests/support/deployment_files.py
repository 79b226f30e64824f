"""The deployment's configuration files read as the tools read them, for the deployment tests
(tests/deployment/: test_docker_compose.py, test_proxy.py, test_dockerfile.py,
test_systemd_unit.py): the paths, the settings' names, and docker-compose.yml parsed and
interpolated as compose does."""

from __future__ import annotations

import re
import typing
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import yaml
from pydantic import SecretStr

from bot.settings import Settings
from bot.voice.config import VoiceSettings

ROOT = Path(__file__).resolve().parents[2]
COMPOSE = ROOT / "docker-compose.yml"
DOCKERFILE = ROOT / "Dockerfile"
DOCKERIGNORE = ROOT / ".dockerignore"
ENV_EXAMPLE = ROOT / "deploy" / "env.example"
NGINX = ROOT / "deploy" / "nginx.conf.template"

PREFIX = "SIGNAALPUNT_"
SERVICE = "signaalpunt"
# Compose-only variables that hold secrets (the settings' secrets are found by their type).
COMPOSE_SECRETS = {"POSTGRES_PASSWORD"}


# --- settings ------------------------------------------------------------------------------


def setting_names() -> set[str]:
    """Every setting the service reads: bot/settings.py's and the voice notes' own
    (bot/voice/config.py)."""
    fields = (*Settings.model_fields, *VoiceSettings.model_fields)
    return {PREFIX + name.upper() for name in fields}


def secret_settings() -> set[str]:
    """The settings typed SecretStr: their values must never be written in a file."""
    return {
        PREFIX + name.upper()
        for name, info in Settings.model_fields.items()
        if info.annotation is SecretStr or SecretStr in typing.get_args(info.annotation)
    }


# --- compose -------------------------------------------------------------------------------

# ${NAME}, ${NAME:-default}, ${NAME:?error}, ... and $NAME; $$ is a literal dollar.
_REFERENCE = re.compile(
    r"\$\$|\$\{(?P<braced>[A-Za-z_][A-Za-z0-9_]*)(?P<op>:?[-?+])?(?P<arg>[^}]*)\}"
    r"|\$(?P<bare>[A-Za-z_][A-Za-z0-9_]*)"
)


@dataclass(frozen=True)
class Reference:
    name: str
    op: str  # "" for a plain reference, ":?" when compose refuses to start without it


def references(value: str) -> list[Reference]:
    found: list[Reference] = []
    for match in _REFERENCE.finditer(value):
        if match.group(0) == "$$":
            continue
        name = match.group("braced") or match.group("bare")
        found.append(Reference(name, match.group("op") or ""))
    return found


def strings(node: object) -> Iterator[str]:
    """Every string in a parsed YAML document, keys included."""
    if isinstance(node, str):
        yield node
    elif isinstance(node, Mapping):
        for key, value in node.items():
            yield from strings(key)
            yield from strings(value)
    elif isinstance(node, list):
        for item in node:
            yield from strings(item)


@cache
def compose() -> dict[str, Any]:
    # safe_load resolves the anchors and merge keys (<<) the file uses, as compose does.
    document = yaml.safe_load(COMPOSE.read_text(encoding="utf-8"))
    assert isinstance(document, dict)
    return document


def service(name: str) -> dict[str, Any]:
    services = compose()["services"]
    assert name in services, f"docker-compose.yml has no service {name!r}"
    spec = services[name]
    assert isinstance(spec, dict)
    return spec


def environment_of(spec: Mapping[str, Any]) -> dict[str, str]:
    env = spec.get("environment", {})
    if isinstance(env, list):  # the NAME=value list form
        env = dict(item.split("=", 1) for item in env)
    return {str(key): str(value) for key, value in env.items()}


def environment(name: str) -> dict[str, str]:
    return environment_of(service(name))


def mounts(name: str) -> dict[str, str]:
    """A service's bind mounts and volumes, target -> source (defaults filled in)."""
    found: dict[str, str] = {}
    for volume in service(name).get("volumes", []):
        source, target, *_ = interpolate(volume).split(":")
        found[target] = source
    return found


def duration_seconds(text: str) -> float:
    """A compose duration: 30s, 1m30s, 1h, 500ms."""
    units = {"us": 1e-6, "ms": 1e-3, "s": 1.0, "m": 60.0, "h": 3600.0}
    parts = re.findall(r"(\d+(?:\.\d+)?)(us|ms|s|m|h)", text)
    assert "".join(n + u for n, u in parts) == text, f"not a duration: {text!r}"
    return sum(float(number) * units[unit] for number, unit in parts)


# Stand-ins for what .env provides, to load compose's environment as the service would.
PLACEHOLDERS = {
    "POSTGRES_PASSWORD": "0123456789abcdef0123456789abcdef0123456789abcdef",
    "PUBLIC_DOMAIN": "signaalpunt.example.invalid",
    "SIGNAALPUNT_ENCRYPTION_KEYS": "test1=AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=",
    "SIGNAALPUNT_INDEX_KEY": "ICEiIyQlJicoKSorLC0uLzAxMjM0NTY3ODk6Ozw9Pj8=",
    "SIGNAALPUNT_TELEGRAM_TOKEN": "123456:placeholder-token",
    "SIGNAALPUNT_LOKET_CHAT_ID": "-1001234567890",
    "SIGNAALPUNT_TELEGRAM_WEBHOOK_SECRET": "placeholder_secret_0123456789",
}


def interpolate(value: str) -> str:
    def substitute(match: re.Match[str]) -> str:
        if match.group(0) == "$$":
            return "$"
        name = match.group("braced") or match.group("bare")
        if name in PLACEHOLDERS:
            return PLACEHOLDERS[name]
        assert match.group("op") in (":-", "-"), f"add a placeholder for {name} to PLACEHOLDERS"
        return match.group("arg")

    return _REFERENCE.sub(substitute, value)
