"""``signaalpunt staff add-web`` and ``staff password`` as an administrator types them, and
the dashboard login they make (a real ``signaalpunt run`` serving the dashboard)."""

from __future__ import annotations

import asyncio
import subprocess
from pathlib import Path

import httpx
import pytest
from sqlalchemy import select

from storage.database import make_engine
from storage.models import Staff
from tests.e2e.test_cli_staff import database_url, environment
from tests.support.net import free_port
from tests.support.processes import SIGNAALPUNT
from tests.support.web_harness import post_login

pytestmark = [pytest.mark.e2e, pytest.mark.wall_clock]

PASSWORD = "a long and good passphrase"


def cli(
    tmp_path: Path, *args: str, password: str | None = None
) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(
        [str(SIGNAALPUNT), *args],
        input=None if password is None else password + "\n",
        capture_output=True,
        text=True,
        env=environment(tmp_path),
        cwd=tmp_path,
        timeout=120,
        check=False,
    )
    assert "Traceback" not in result.stdout + result.stderr, result.stderr
    return result


def add_web(
    tmp_path: Path, username: str, password: str = PASSWORD, role: str = "loket"
) -> subprocess.CompletedProcess[str]:
    return cli(
        tmp_path,
        "staff",
        "add-web",
        username,
        "--role",
        role,
        "--name",
        "Anna de Vries",
        "--password-stdin",
        password=password,
    )


async def stored_hash(tmp_path: Path, username: str) -> str | None:
    engine = make_engine(database_url(tmp_path))
    try:
        async with engine.connect() as connection:
            query = select(Staff.password_hash).where(Staff.username == username)
            return (await connection.execute(query)).scalar_one_or_none()
    finally:
        await engine.dispose()


async def test_add_web_creates_a_login_with_an_argon2id_hash(tmp_path: Path) -> None:
    result = add_web(tmp_path, "Anna.de-Vries")
    assert result.returncode == 0, result.stderr
    assert "anna.de-vries" in result.stdout  # usernames are lower case
    assert PASSWORD not in result.stdout + result.stderr
    hashed = await stored_hash(tmp_path, "anna.de-vries")
    assert hashed is not None
    assert hashed.startswith("$argon2id$")
    assert PASSWORD not in hashed
    listed = cli(tmp_path, "staff", "list")
    assert "web:anna.de-vries" in listed.stdout


@pytest.mark.parametrize(
    ("username", "password", "says"),
    [
        ("anna", "short", "at least 12 characters"),
        ("annavries123", "annavries123", "must not be the username"),
        ("anna", "aaaaaaaaaaaaaaaa", "too few characters"),
        ("a", PASSWORD, "3-64 characters"),
        ("anna vries", PASSWORD, "3-64 characters"),
    ],
)
def test_add_web_refuses_a_weak_password_or_a_bad_name(
    tmp_path: Path, username: str, password: str, says: str
) -> None:
    result = add_web(tmp_path, username, password)
    assert result.returncode == 2
    assert says in result.stderr
    assert result.stderr.count("\n") == 1  # one line, no traceback


def test_a_taken_username_is_refused(tmp_path: Path) -> None:
    assert add_web(tmp_path, "anna").returncode == 0
    again = add_web(tmp_path, "anna")
    assert again.returncode == 1
    assert "already taken" in again.stderr


async def test_the_login_works_on_the_running_service_and_a_new_password_logs_out(
    tmp_path: Path,
) -> None:
    assert add_web(tmp_path, "anna").returncode == 0
    port = free_port()
    env = environment(tmp_path, SIGNAALPUNT_HTTP_PORT=str(port))
    process = await asyncio.create_subprocess_exec(
        str(SIGNAALPUNT),
        "run",
        env=env,
        cwd=tmp_path,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    try:
        assert process.stderr is not None
        printed = []
        async with asyncio.timeout(60):
            while True:  # the URLs are printed once the server listens
                line = (await process.stderr.readline()).decode()
                assert line, "signaalpunt run ended early"
                printed.append(line)
                if "loket dashboard on" in line:
                    break
        base = f"http://127.0.0.1:{port}"
        assert f"{base}/chat" in "".join(printed)
        assert f"{base}/loket/" in "".join(printed)
        async with httpx.AsyncClient(base_url=base, timeout=30) as http:
            refused = await post_login(http, "anna", "not it at all")
            assert refused.status_code == 401
            logged_in = await post_login(http, "anna", PASSWORD)
            assert logged_in.status_code == 303
            assert (await http.get("/loket/")).status_code == 200
            reset = await asyncio.to_thread(
                cli, tmp_path, "staff", "password", "anna", "--password-stdin", password="x" * 3
            )
            assert reset.returncode == 2  # too short: nothing changed, still logged in
            assert (await http.get("/loket/")).status_code == 200
            reset = await asyncio.to_thread(
                cli,
                tmp_path,
                "staff",
                "password",
                "anna",
                "--password-stdin",
                password="another long passphrase",
            )
            assert reset.returncode == 0, reset.stderr
            assert "1 open session(s) logged out" in reset.stdout
            after = await http.get("/loket/")
            assert after.status_code == 303
            assert after.headers["location"].startswith("/loket/login")
    finally:
        process.terminate()
        await process.wait()
