"""Servers the benchmarks start as subprocesses: a free loopback port, start and wait until the
port accepts connections, stop."""

from __future__ import annotations

import socket
import subprocess
import time
from typing import IO


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_process(
    cmd: list[str], port: int, name: str, timeout: float = 30.0, log: IO[bytes] | None = None, **popen
) -> subprocess.Popen:
    """Start `cmd` and return once 127.0.0.1:`port` accepts connections; raise RuntimeError with
    the end of its stderr if it exits first or does not listen within `timeout` seconds. With
    `log` (a file), stderr goes there: a process that logs much must not fill an unread pipe."""
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=log or subprocess.PIPE, **popen)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            tail = proc.stderr.read().decode()[-2000:] if proc.stderr else f"see {getattr(log, 'name', 'its log')}"
            raise RuntimeError(f"{name} exited: {tail}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return proc
        except OSError:
            time.sleep(0.1)
    stop_process(proc)
    raise RuntimeError(f"{name} did not start in {timeout:g} s")


def stop_process(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=5)
