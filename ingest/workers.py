"""`quadriller ingest --workers N`: N ingest processes sharing one port (SO_REUSEPORT).

Each worker is a whole ingest service (its own pools, pipeline and batch writer) listening on
its own socket bound with SO_REUSEPORT; the kernel spreads new connections over them. A
volunteer's websocket lives on one worker for its whole life, so per-connection state stays
correct; what must survive a reconnection to another worker (zone, last fix) is read back
from Redis on each connection (docs/protocol.md, "Several ingest processes").

The supervisor only forks, restarts a worker that died, and forwards SIGTERM/SIGINT. Workers
die with it (PR_SET_PDEATHSIG): a kill -9 of the supervisor takes the whole service down, as
with one process, and unacknowledged pings are resent by their clients.
"""

from __future__ import annotations

import ctypes
import logging
import multiprocessing as mp
import os
import signal
import socket
import time

from server.settings import Settings

log = logging.getLogger("ingest.workers")
_PR_SET_PDEATHSIG = 1


def _die_with_parent() -> None:
    try:
        ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
    except (OSError, AttributeError):  # pragma: no cover - not Linux
        pass


def reuseport_socket(host: str, port: int) -> socket.socket:
    """Bound, not listening: uvicorn listens once the lifespan has started, so no connection
    is accepted into the backlog of a worker that is not ready."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    sock.bind((host, port))
    sock.set_inheritable(True)
    return sock


def _worker(settings: Settings, host: str, port: int, index: int, parent: int) -> None:
    _die_with_parent()
    if os.getppid() != parent:  # the supervisor died before prctl took effect
        os._exit(1)
    import uvicorn

    from ingest.app import uvicorn_config

    sock = reuseport_socket(host, port)
    log.info("ingest worker %d (pid %d) on %s:%d", index, os.getpid(), host, port)
    uvicorn.Server(uvicorn_config(settings, host, port, log_level="info")).run(sockets=[sock])


def serve_workers(settings: Settings, host: str, port: int, workers: int) -> None:
    ctx = mp.get_context("fork")  # before any event loop or pool exists in this process

    me = os.getpid()
    stopping = False

    def start(i: int) -> mp.Process:
        p = ctx.Process(target=_worker, args=(settings, host, port, i, me), name=f"quadriller-ingest-{i}")
        p.start()
        return p

    def stop(signum, _frame) -> None:
        nonlocal stopping
        stopping = True
        for p in procs:
            if p.is_alive():
                os.kill(p.pid, signal.SIGTERM)

    procs = [start(i) for i in range(workers)]
    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    log.info("ingest supervisor (pid %d): %d workers on %s:%d", me, workers, host, port)
    while not stopping:
        time.sleep(0.5)
        for i, p in enumerate(procs):
            if not p.is_alive() and not stopping:
                log.warning("ingest worker %d (pid %s) exited with %s; restarting", i, p.pid, p.exitcode)
                time.sleep(0.5)
                procs[i] = start(i)
    deadline = time.monotonic() + 15
    for p in procs:
        p.join(max(0.1, deadline - time.monotonic()))
        if p.is_alive():
            p.kill()
