"""Without Docker: deploy/signaalpunt.service, the systemd unit that runs the service from a
checkout as its own user, with its settings and secrets from an EnvironmentFile."""

from __future__ import annotations

from bot.bootstrap.serving import SHUTDOWN_GRACE
from tests.support.deployment_files import ROOT, duration_seconds

UNIT = ROOT / "deploy" / "signaalpunt.service"


def unit_settings() -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for line in UNIT.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if line and not line.startswith(("#", "[")):
            key, _, value = line.partition("=")
            found.setdefault(key, []).append(value)
    return found


def test_the_systemd_unit_runs_the_service_as_its_own_user() -> None:
    unit = unit_settings()
    assert unit["ExecStart"] == ["/opt/signaalpunt/.venv/bin/signaalpunt run"]
    assert unit["User"][0] not in ("root", "0")
    assert duration_seconds(unit["TimeoutStopSec"][0] + "s") > SHUTDOWN_GRACE
    assert "Environment" not in unit, "settings and secrets come from the EnvironmentFile"
    assert unit["EnvironmentFile"] == ["/etc/signaalpunt/env"]
    # It writes the SQLite database and the key file under var/, nothing else.
    assert unit["ProtectSystem"] == ["strict"]
    assert unit["ReadWritePaths"] == [unit["WorkingDirectory"][0] + "/var"]
