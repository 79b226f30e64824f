"""A real ``signaalpunt run`` process for the benchmarks that probe the service from outside
(bench/login_flood.py, bench/unsigned_webhooks.py), and its resident memory."""

from __future__ import annotations

import asyncio
import contextlib
import os
import sys
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

from tests.support.keys import TEST_KEY_ENV
from tests.support.net import free_port

EXECUTABLE = Path(sys.executable).parent / "signaalpunt"
START_TIMEOUT = 60.0


@dataclass
class Running:
    process: asyncio.subprocess.Process
    port: int

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def rss_mb(self) -> float:
        """The process's resident set size (VmRSS), in MB."""
        with open(f"/proc/{self.process.pid}/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024
        raise RuntimeError("no VmRSS")


@contextlib.asynccontextmanager
async def service(database_url: str, **settings: str) -> AsyncIterator[Running]:
    """``signaalpunt run`` on a free port with the test keys; stopped (SIGTERM) on leaving."""
    port = free_port()
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        # Set to measure another checkout's code (e.g. the commit before a fix).
        **({"PYTHONPATH": os.environ["PYTHONPATH"]} if "PYTHONPATH" in os.environ else {}),
        "PYTHONUNBUFFERED": "1",
        "SIGNAALPUNT_DATABASE_URL": database_url,
        "SIGNAALPUNT_HTTP_PORT": str(port),
        "SIGNAALPUNT_LOG_LEVEL": "ERROR",
        **TEST_KEY_ENV,
        **{f"SIGNAALPUNT_{name.upper()}": value for name, value in settings.items()},
    }
    process = await asyncio.create_subprocess_exec(
        str(EXECUTABLE),
        "run",
        env=env,
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.PIPE,
    )
    assert process.stderr is not None
    try:
        async with asyncio.timeout(START_TIMEOUT):
            while b"HTTP on" not in (line := await process.stderr.readline()):
                if not line:
                    raise RuntimeError("signaalpunt run ended before it listened")
        drain = asyncio.create_task(_drain(process.stderr))
        try:
            yield Running(process, port)
        finally:
            drain.cancel()
    finally:
        if process.returncode is None:
            process.terminate()
            await process.wait()


async def _drain(stream: asyncio.StreamReader) -> None:
    while await stream.readline():
        pass


class PeakRss:
    """``async with PeakRss(run) as peak:`` samples the process's memory every 20 ms while
    the block runs; ``peak.mb`` is the highest, ``peak.before`` what it was at the start."""

    def __init__(self, run: Running) -> None:
        self._run = run
        self.before = self.mb = run.rss_mb()
        self._done = asyncio.Event()
        self._sampler: asyncio.Task[None] | None = None

    async def __aenter__(self) -> PeakRss:
        self._sampler = asyncio.create_task(self._sample())
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        self._done.set()
        if self._sampler is not None:
            await self._sampler

    async def _sample(self) -> None:
        while not self._done.is_set():
            self.mb = max(self.mb, self._run.rss_mb())
            await asyncio.sleep(0.02)
