"""The service's handle on a transcription worker process: starting it (offline, its
stderr into our log), talking to it, killing it. The policy (limits, restarts, queueing) is
``transcriber``'s."""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import os
import sys
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from . import protocol
from .audio import AudioLimits
from .guards import GuardLimits
from .results import TranscriptFailed
from .worker import OFFLINE_ENVIRONMENT

log = logging.getLogger(__name__)

_OURS = "SIGNAALPUNT_"


@dataclass(frozen=True, slots=True)
class WorkerOptions:
    model_dir: Path
    compute_type: str = "int8"
    threads: int = 2
    beam_size: int = 5
    nice: int = 10
    # Loading the model: a second or two; slow disks and a busy machine get a margin.
    load_seconds: float = 120.0


class WorkerProcess:
    def __init__(self, process: asyncio.subprocess.Process) -> None:
        self.process = process
        assert process.stdin is not None
        assert process.stdout is not None
        self.stdin = process.stdin
        self.stdout = process.stdout
        self.stderr_task: asyncio.Task[None] | None = None

    @property
    def alive(self) -> bool:
        return self.process.returncode is None

    async def read(self) -> dict[str, Any]:
        return protocol.parse(await protocol.read_frame(self.stdout, protocol.MESSAGE_LIMIT))

    async def kill(self) -> None:
        if self.alive:
            with contextlib.suppress(ProcessLookupError):
                self.process.kill()
        await self.process.wait()
        if self.stderr_task is not None:
            await self.stderr_task


def worker_environment() -> dict[str, str]:
    """The service's environment without its own settings (they hold the encryption keys and
    the channels' tokens, which the worker has no use for), switched offline."""
    kept = {name: value for name, value in os.environ.items() if not name.startswith(_OURS)}
    return {**kept, **OFFLINE_ENVIRONMENT}


async def spawn(
    options: WorkerOptions, audio_limits: AudioLimits, guard_limits: GuardLimits
) -> WorkerProcess | TranscriptFailed:
    """A worker with the model loaded, or ``model_unavailable``."""
    config = {
        "model": str(options.model_dir),
        "compute_type": options.compute_type,
        "threads": options.threads,
        "beam_size": options.beam_size,
        "nice": options.nice,
        "audio_limits": asdict(audio_limits),
        "guard_limits": asdict(guard_limits),
    }
    try:
        process = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "bot.voice.worker",
            json.dumps(config),
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
            env=worker_environment(),
        )
    except OSError as error:  # no processes or file descriptors left
        log.error("voice worker could not be started (%s)", type(error).__name__)
        return TranscriptFailed("model_unavailable", type(error).__name__)
    worker = WorkerProcess(process)
    assert process.stderr is not None
    worker.stderr_task = asyncio.create_task(_log_lines(process.stderr, process.pid))
    try:
        hello = await asyncio.wait_for(worker.read(), options.load_seconds)
    except (TimeoutError, asyncio.IncompleteReadError, protocol.ProtocolError) as error:
        log.error("voice worker did not start (%s)", type(error).__name__)
        await worker.kill()
        return TranscriptFailed("model_unavailable", type(error).__name__)
    except asyncio.CancelledError:  # aclose() during the start: leave no process behind
        await worker.kill()
        raise
    if hello.get("kind") != "ready":
        log.error("voice worker could not load the model (%s)", hello.get("detail"))
        await worker.kill()
        return TranscriptFailed("model_unavailable", str(hello.get("detail", "")))
    log.info("voice worker ready (pid %s)", process.pid)
    return worker


async def _log_lines(stream: asyncio.StreamReader, pid: int) -> None:
    """The worker's stderr (library warnings; the worker itself writes no texts) into our
    log, line by line, cut short."""
    while line := await stream.readline():
        message = line.decode("utf-8", "replace").rstrip()
        if message:
            log.info("voice worker %s: %s", pid, message[:300])
