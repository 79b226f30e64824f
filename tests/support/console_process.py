"""Run ``signaalpunt chat`` as a real subprocess and talk to it through pipes."""

from __future__ import annotations

import os
import select
import signal
import subprocess
import time

from tests.support.keys import TEST_KEY_ENV
from tests.support.processes import SIGNAALPUNT, process_env

PROMPT = b"> "


class ConsoleProcess:
    def __init__(self, database_url: str, *args: str) -> None:
        env = process_env({"SIGNAALPUNT_DATABASE_URL": database_url, **TEST_KEY_ENV}, inherit=True)
        self.proc = subprocess.Popen(
            [str(SIGNAALPUNT), "chat", *args],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env=env,
        )
        self.output = b""

    def read_until_prompt(self, timeout: float = 60.0) -> str:
        """Block on the pipe (select, not sleep) until the chat asks for the next line."""
        assert self.proc.stdout is not None
        fd = self.proc.stdout.fileno()
        start = len(self.output)
        deadline = time.monotonic() + timeout
        while len(self.output) == start or not self.output.endswith(PROMPT):
            remaining = deadline - time.monotonic()
            assert remaining > 0, self.output.decode(errors="replace")
            ready, _, _ = select.select([fd], [], [], remaining)
            if ready:
                chunk = os.read(fd, 65536)
                assert chunk, "the chat ended early:\n" + self.output.decode(errors="replace")
                self.output += chunk
        return self.output[start:].decode()

    def say(self, line: str) -> str:
        assert self.proc.stdin is not None
        self.proc.stdin.write(line.encode() + b"\n")
        self.proc.stdin.flush()
        return self.read_until_prompt()

    def kill(self) -> None:
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait()
        self._close()

    def finish(self) -> str:
        assert self.proc.stdin is not None
        self.proc.stdin.close()
        self.proc.stdin = None  # communicate() would flush the closed pipe
        out, err = self.proc.communicate(timeout=60)
        self.output += out
        assert self.proc.returncode == 0, err.decode()
        self._close()
        return self.output.decode()

    def _close(self) -> None:
        for stream in (self.proc.stdin, self.proc.stdout, self.proc.stderr):
            if stream is not None:
                stream.close()
