"""docker-compose.yml, checked without Docker (it does not run on the development machines):
the services and their order of starting, against the settings and the service's limits; the
secrets only as references to the environment; deploy/env.example naming what compose needs."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from bot.bootstrap.serving import SHUTDOWN_GRACE
from bot.channels.telegram import webhook as telegram_webhook
from bot.settings import Settings
from tests.support.deployment_files import (
    COMPOSE,
    COMPOSE_SECRETS,
    ENV_EXAMPLE,
    PREFIX,
    SERVICE,
    Reference,
    compose,
    duration_seconds,
    environment,
    environment_of,
    interpolate,
    mounts,
    references,
    secret_settings,
    service,
    setting_names,
    strings,
)
from tests.support.docker_build import dockerfile_env_names


def test_the_services_exist() -> None:
    assert {"db", "migrate", SERVICE, "proxy"} <= set(compose()["services"])


def test_the_database_has_a_healthcheck_and_a_named_volume() -> None:
    db = service("db")
    assert re.fullmatch(r"postgres:1[56](\.\d+)*(-\w+)?", db["image"])
    assert "pg_isready" in " ".join(db["healthcheck"]["test"])
    data = mounts("db").get("/var/lib/postgresql/data")
    assert data, "the data directory must be on a volume"
    assert data in compose()["volumes"], "a named volume, not a directory of the checkout"
    assert "ports" not in db, "only the services on the compose network reach the database"


def test_the_service_runs_two_replicas_in_webhook_mode() -> None:
    spec = service(SERVICE)
    assert spec["deploy"]["replicas"] == 2
    assert "container_name" not in spec, "replicas need names of their own"
    assert spec.get("command", ["run"]) == ["run"]
    env = environment(SERVICE)
    assert env[PREFIX + "TELEGRAM_MODE"] == "webhook"
    assert env[PREFIX + "TELEGRAM_WEBHOOK_URL"].startswith("https://")
    assert env[PREFIX + "TELEGRAM_WEBHOOK_URL"].endswith(telegram_webhook.PATH)
    assert PREFIX + "TELEGRAM_WEBHOOK_SECRET" in env
    assert env[PREFIX + "HTTP_HOST"] == "0.0.0.0"
    assert env[PREFIX + "LOG_FORMAT"] == "json"
    assert env[PREFIX + "MIGRATE_ON_START"] == "false", "the migrate service migrates once"


def test_the_service_publishes_no_port() -> None:
    assert "ports" not in service(SERVICE), "only the proxy reaches the replicas"


def test_the_service_starts_after_the_database_and_the_migration() -> None:
    depends = service(SERVICE)["depends_on"]
    assert depends["db"]["condition"] == "service_healthy"
    assert depends["migrate"]["condition"] == "service_completed_successfully"
    migrate = service("migrate")
    assert migrate["command"] == ["db", "upgrade"]
    assert migrate["depends_on"]["db"]["condition"] == "service_healthy"
    assert migrate["restart"] == "no", "a one-shot service"
    assert migrate["image"] == service(SERVICE)["image"], "the migration of the same release"
    assert environment("migrate") == environment(SERVICE), "the same database and keys"


def test_the_service_is_healthy_when_ready() -> None:
    spec = service(SERVICE)
    probe = " ".join(spec["healthcheck"]["test"])
    port = environment(SERVICE)[PREFIX + "HTTP_PORT"]
    assert f"127.0.0.1:{port}/readyz" in probe
    assert "curl" not in probe, "the slim image has no curl"
    assert "wget" not in probe, "nor wget"


def test_docker_waits_longer_than_the_service_on_shutdown() -> None:
    grace = duration_seconds(service(SERVICE)["stop_grace_period"])
    assert grace > SHUTDOWN_GRACE, "Docker would kill requests the service is still finishing"


def used_compose_variables() -> set[str]:
    """SIGNAALPUNT_* names compose sets (environment keys) or reads (${...})."""
    names: set[str] = set()
    for spec in compose()["services"].values():
        names |= {k for k in environment_of(spec) if k.startswith(PREFIX)}
    for text in strings(compose()):
        names |= {r.name for r in references(text) if r.name.startswith(PREFIX)}
    return names


def env_example() -> dict[str, str]:
    """deploy/env.example's assignments, the commented-out ones included."""
    found: dict[str, str] = {}
    for line in ENV_EXAMPLE.read_text(encoding="utf-8").splitlines():
        match = re.fullmatch(r"#?([A-Z][A-Z0-9_]*)=(.*)", line.strip())
        if match:
            found[match.group(1)] = match.group(2)
    return found


def test_every_signaalpunt_variable_is_a_real_setting() -> None:
    # The service ignores unknown SIGNAALPUNT_ variables: a typo would silently be a default.
    used = used_compose_variables() | dockerfile_env_names() | set(env_example())
    unknown = sorted(n for n in used if n.startswith(PREFIX) and n not in setting_names())
    assert not unknown, f"not settings of bot/settings.py: {unknown}"


def test_compose_environment_is_a_valid_configuration(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.chdir(tmp_path)  # no developer's .env
    for name in [n for n in os.environ if n.startswith(PREFIX)]:
        monkeypatch.delenv(name)
    for name, value in environment(SERVICE).items():
        monkeypatch.setenv(name, interpolate(value))
    settings = Settings()
    assert settings.telegram_mode == "webhook"
    assert settings.database_url.startswith("postgresql+asyncpg://signaalpunt:")
    assert settings.database_url.endswith("@db:5432/signaalpunt")
    assert settings.http_port == 8080


def test_secrets_are_references_to_the_environment() -> None:
    secrets = secret_settings() | COMPOSE_SECRETS
    for name, spec in compose()["services"].items():
        for key, value in environment_of(spec).items():
            suspicious = key in secrets or re.search(r"PASSWORD|SECRET|TOKEN|_KEY", key)
            if not suspicious:
                continue
            refs = references(value)
            assert re.fullmatch(r"\$\{[^}]+\}", value), f"{name}: {key} must be ${{...}} alone"
            required = [Reference(key, ":?")]
            assert refs == required, (
                f"{name}: {key} must be ${{{key}:?...}}: compose refuses to start without it"
            )
    # The database password reaches the service inside the URL; the URL holds no literal one.
    url = environment(SERVICE)[PREFIX + "DATABASE_URL"]
    pattern = r"postgresql\+asyncpg://signaalpunt:(\$\{[^}]+\})@db:5432/signaalpunt"
    match = re.fullmatch(pattern, url)
    assert match, url
    assert references(match.group(1)) == [Reference("POSTGRES_PASSWORD", ":?")]


def test_env_example_names_every_required_variable_without_a_value() -> None:
    example = env_example()
    required = {r.name for text in strings(compose()) for r in references(text) if r.op == ":?"}
    missing = sorted(required - set(example))
    assert not missing, f"deploy/env.example does not mention {missing}"
    secrets = secret_settings() | COMPOSE_SECRETS
    filled = sorted(name for name in secrets & set(example) if example[name])
    assert not filled, f"deploy/env.example must not give secrets a value: {filled}"


def test_no_literal_secret_anywhere_in_compose() -> None:
    text = COMPOSE.read_text(encoding="utf-8")
    assert "change-me" not in text
    assert not re.search(r"[A-Za-z0-9+/]{43}=", text), "something like a base64 key"
    assert not re.search(r"\d{6,}:[A-Za-z0-9_-]{30,}", text), "something like a bot token"
