"""``signaalpunt keys`` and where keys come from, as the operator meets them: the
development key file, rotation, dropping an old key, and clear refusals."""

from __future__ import annotations

import json
import stat
import subprocess
from pathlib import Path

import pytest

from tests.support.processes import SIGNAALPUNT, process_env

pytestmark = [pytest.mark.e2e, pytest.mark.wall_clock]
SCRIPT = ["1", "Nee", "1", "4", "1, 8", "3", "4531 ab", "3", "Ze is erg alleen", "2", "1", "1"]


def run(
    tmp_path: Path, *args: str, stdin: str = "", **env: str
) -> subprocess.CompletedProcess[str]:
    """Run in ``tmp_path``, where the default key file var/keys.json lives."""
    return subprocess.run(
        [str(SIGNAALPUNT), *args],
        input=stdin,
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env=process_env(
            {"SIGNAALPUNT_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'db.sqlite3'}"} | env
        ),
        timeout=120,
        check=False,
    )


def key_file(tmp_path: Path) -> dict[str, object]:
    data: dict[str, object] = json.loads((tmp_path / "var" / "keys.json").read_text())
    return data


def test_the_first_run_creates_a_private_key_file_with_a_warning(tmp_path: Path) -> None:
    first = run(tmp_path, "db", "upgrade")
    assert first.returncode == 0, first.stderr
    assert "WARNING: created a development key file var/keys.json (mode 0600)" in first.stderr
    path = tmp_path / "var" / "keys.json"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    again = run(tmp_path, "db", "upgrade")
    assert again.returncode == 0
    assert "WARNING" not in again.stderr  # created once, then used
    assert key_file(tmp_path) == json.loads(path.read_text())


def test_rotate_status_and_drop(tmp_path: Path) -> None:
    chat = run(tmp_path, "chat", stdin="\n".join(SCRIPT) + "\n")
    assert chat.returncode == 0, chat.stderr
    old = str(key_file(tmp_path)["current"])
    status = run(tmp_path, "keys", "status")
    assert status.returncode == 0
    assert f"Current key: {old}" in status.stdout
    refused = run(tmp_path, "keys", "drop", old)
    assert refused.returncode == 1
    assert "cannot be dropped" in refused.stderr

    rotated = run(tmp_path, "keys", "rotate", "--batch", "1")
    assert rotated.returncode == 0, rotated.stderr
    new = str(key_file(tmp_path)["current"])
    assert new != old
    assert f"under key {new}" in rotated.stdout
    status = run(tmp_path, "keys", "status")
    assert f"  {old}: 0 stored values" in status.stdout
    dropped = run(tmp_path, "keys", "drop", old)
    assert dropped.returncode == 0, dropped.stderr
    keys = key_file(tmp_path)["keys"]
    assert isinstance(keys, dict)
    assert list(keys) == [new]
    # Everything is still readable with the new key alone: the reporter's status lists it.
    listed = run(tmp_path, "chat", stdin="/status\n")
    assert "SP-" in listed.stdout, listed.stdout + listed.stderr


def test_a_database_from_other_keys_is_named_not_a_traceback(tmp_path: Path) -> None:
    assert run(tmp_path, "chat", stdin="\n".join(SCRIPT) + "\n").returncode == 0
    (tmp_path / "var" / "keys.json").rename(tmp_path / "elsewhere.json")
    run(tmp_path, "db", "upgrade")  # a fresh, different key file
    status = run(tmp_path, "keys", "status")
    assert status.returncode == 1
    assert "NOT CONFIGURED" in status.stdout
    assert "Traceback" not in status.stdout + status.stderr


@pytest.mark.parametrize(
    ("env", "named"),
    [
        ({"SIGNAALPUNT_DATABASE_URL": "postgresql+asyncpg://u@127.0.0.1:9/x"}, "required with"),
        ({"SIGNAALPUNT_ENCRYPTION_KEYS": "k1=" + "A" * 44}, "SIGNAALPUNT_INDEX_KEY is required"),
        (
            {"SIGNAALPUNT_ENCRYPTION_KEYS": "k1=c2hvcnQ=", "SIGNAALPUNT_INDEX_KEY": "A" * 44},
            "must be 32 bytes",
        ),
        ({"SIGNAALPUNT_ENCRYPTION_KEYS": "no pairs", "SIGNAALPUNT_INDEX_KEY": "x"}, "id=base64"),
    ],
)
def test_bad_key_settings_are_named_in_one_line(
    tmp_path: Path, env: dict[str, str], named: str
) -> None:
    result = run(tmp_path, "db", "upgrade", **env)
    assert result.returncode == 2
    assert named in result.stderr
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "var" / "keys.json").exists()


def test_a_damaged_key_file_is_refused_clearly(tmp_path: Path) -> None:
    (tmp_path / "var").mkdir()
    (tmp_path / "var" / "keys.json").write_text("{not json")
    result = run(tmp_path, "db", "upgrade")
    assert result.returncode == 2
    assert "is not a Signaalpunt key file" in result.stderr
