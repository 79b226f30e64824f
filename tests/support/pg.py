"""A throw-away PostgreSQL server for tests, run from the Debian ``postgresql`` binaries.

``start_postgres()`` runs initdb into a fresh temporary directory and starts the server on
a free TCP port on 127.0.0.1 (its socket in that directory too). As root the commands run
as the ``postgres`` system user, because initdb refuses to run as root.
"""

from __future__ import annotations

import os
import pwd
import re
import shutil
import subprocess
import tempfile
import uuid
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine
from sqlalchemy.pool import NullPool

from tests.support.net import free_port

SUPERUSER = "postgres"
INSTALL_HINT = "install it with: apt-get update && apt-get install -y postgresql"


class PostgresUnavailable(RuntimeError):
    """The PostgreSQL server binaries are missing or the server could not start."""


def find_bindir() -> Path:
    """The bin directory of the highest installed PostgreSQL version."""
    candidates: list[tuple[int, Path]] = []
    for bindir in Path("/usr/lib/postgresql").glob("*/bin"):
        version = bindir.parent.name
        if re.fullmatch(r"\d+", version) and (bindir / "initdb").is_file():
            candidates.append((int(version), bindir))
    if candidates:
        return max(candidates)[1]
    pg_config = shutil.which("pg_config")
    if pg_config is not None:
        result = subprocess.run(
            [pg_config, "--bindir"], capture_output=True, text=True, check=False
        )
        bindir = Path(result.stdout.strip())
        if result.returncode == 0 and (bindir / "initdb").is_file():
            return bindir
    raise PostgresUnavailable(
        f"PostgreSQL server binaries (initdb, pg_ctl) not found; {INSTALL_HINT}"
    )


@dataclass
class PostgresServer:
    bindir: Path
    base_dir: Path
    port: int
    host: str = "127.0.0.1"
    user: str = SUPERUSER

    @property
    def data_dir(self) -> Path:
        return self.base_dir / "data"

    @property
    def log_file(self) -> Path:
        return self.base_dir / "server.log"

    def url(self, database: str = "postgres") -> str:
        """SQLAlchemy URL (asyncpg driver) of a database on this server."""
        return f"postgresql+asyncpg://{self.user}@{self.host}:{self.port}/{database}"

    async def create_database(self, prefix: str = "test") -> str:
        """Create a fresh, uniquely named database and return its URL."""
        name = f"{prefix}_{uuid.uuid4().hex}"
        await self._admin(f'CREATE DATABASE "{name}"')
        return self.url(name)

    async def drop_database(self, url: str) -> None:
        name = url.rsplit("/", 1)[1]
        await self._admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    async def _admin(self, statement: str) -> None:
        engine = create_async_engine(self.url(), isolation_level="AUTOCOMMIT", poolclass=NullPool)
        try:
            async with engine.connect() as connection:
                await connection.execute(text(statement))
        finally:
            await engine.dispose()

    def run(self, program: str, *args: str) -> subprocess.CompletedProcess[str]:
        """Run a PostgreSQL program, as the ``postgres`` user when we are root."""
        command = [str(self.bindir / program), *args]
        if os.geteuid() == 0:
            command = ["runuser", "-u", SUPERUSER, "--", *command]
        return subprocess.run(
            command, cwd=self.base_dir, capture_output=True, text=True, check=False, timeout=120
        )

    def _check(self, result: subprocess.CompletedProcess[str], what: str) -> None:
        if result.returncode != 0:
            log = self.log_file.read_text() if self.log_file.exists() else ""
            raise PostgresUnavailable(
                f"{what} failed ({result.returncode}):\n{result.stdout}\n{result.stderr}\n{log}"
            )

    def start(self) -> None:
        self._check(
            self.run(
                "initdb",
                "-D", str(self.data_dir),
                "-U", SUPERUSER,
                "--auth=trust",
                "--no-locale",
                "--encoding=UTF8",
                "--no-sync",
            ),
            "initdb",
        )  # fmt: skip
        options = " ".join(
            [
                "-c listen_addresses=127.0.0.1",
                f"-p {self.port}",
                f"-k {self.base_dir}",
                "-c fsync=off",
                "-c synchronous_commit=off",
                "-c full_page_writes=off",
                "-c max_connections=200",
            ]
        )
        started = self.run(
            "pg_ctl", "start", "-w", "-t", "60",
            "-D", str(self.data_dir), "-l", str(self.log_file), "-o", options,
        )  # fmt: skip
        self._check(started, "pg_ctl start")
        ready = self.run("pg_isready", "-h", self.host, "-p", str(self.port), "-t", "30")
        self._check(ready, "pg_isready")

    def stop(self) -> None:
        try:
            if (self.data_dir / "postmaster.pid").exists():
                self.run("pg_ctl", "stop", "-w", "-m", "fast", "-D", str(self.data_dir))
        finally:
            shutil.rmtree(self.base_dir, ignore_errors=True)


def start_postgres() -> PostgresServer:
    """initdb and start a new server; the caller must call ``stop()``.

    Raises PostgresUnavailable with a clear message when it cannot.
    """
    bindir = find_bindir()
    # Not under pytest's tmp dir: that one is private to root, and the server may run as
    # the postgres user.
    base_dir = Path(tempfile.mkdtemp(prefix="signaalpunt-pg-"))
    if os.geteuid() == 0:
        try:
            account = pwd.getpwnam(SUPERUSER)
        except KeyError:
            shutil.rmtree(base_dir, ignore_errors=True)
            raise PostgresUnavailable(
                f"running as root needs the '{SUPERUSER}' system user; {INSTALL_HINT}"
            ) from None
        os.chown(base_dir, account.pw_uid, account.pw_gid)
    server = PostgresServer(bindir=bindir, base_dir=base_dir, port=free_port())
    try:
        server.start()
    except BaseException:
        server.stop()
        raise
    return server
