"""Two HQ server processes and two ingest processes on one Redis: a ping entering either ingest
reaches the viewers of both servers."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import time

import orjson
import pytest
import websockets

from server.settings import PROJECT_ROOT
from tests.conftest import add_user
from tests.servers import wait_port
from tests.server.live.conftest import frames_until, latest, snapshot
from tests.servers import free_port


def _start(kind: str, port: int, env: dict) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "server.cli", kind, "--port", str(port)],
        cwd=PROJECT_ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )


@pytest.fixture
async def processes(settings):
    env = dict(
        os.environ,
        QUADRILLER_DATABASE_URL=settings.database_url,
        QUADRILLER_REDIS_URL=settings.redis_url,
        QUADRILLER_LIVE_FRAMES_PER_SECOND="4",
    )
    ports = {"serve": [free_port(), free_port()], "ingest": [free_port(), free_port()]}
    procs = [_start(kind, p, env) for kind, ps in ports.items() for p in ps]
    try:
        for proc, port in zip(procs, ports["serve"] + ports["ingest"]):
            await asyncio.to_thread(wait_port, port, proc)
        yield ports
    finally:
        for proc in procs:
            proc.terminate()
        for proc in procs:
            try:
                proc.wait(10)
            except subprocess.TimeoutExpired:
                proc.kill()


async def test_a_ping_via_either_ingest_reaches_viewers_of_both_servers(processes, pool, campaign):
    slug = campaign["slug"]
    admin = await add_user(pool, slug, "admin", "HQ")
    vols = [await add_user(pool, slug, "volunteer", f"V{i}", agreed=True) for i in range(2)]
    async with pool.acquire() as c:
        ids = [await c.fetchval("SELECT id FROM users WHERE login = $1", v["login"]) for v in vols]

    viewers = [(await snapshot(f"ws://127.0.0.1:{p}/ws/live", admin["token"], slug))[0] for p in processes["serve"]]
    phones = []
    for vol, port in zip(vols, processes["ingest"]):
        phone = await websockets.connect(f"ws://127.0.0.1:{port}/ws/pings")
        await phone.send(orjson.dumps({"type": "auth", "token": vol["token"], "protocol": 1}).decode())
        assert orjson.loads(await asyncio.wait_for(phone.recv(), 10))["type"] == "ready"
        await phone.send('{"type":"shift","action":"start"}')  # pings are taken only on shift
        assert orjson.loads(await asyncio.wait_for(phone.recv(), 10))["type"] == "shift"
        phones.append(phone)
    try:
        sent = time.monotonic()
        for i, phone in enumerate(phones):
            await phone.send(
                orjson.dumps(
                    {"type": "ping", "seq": 1, "t": time.time(), "lat": 48.86 + i / 100, "lon": 2.35, "acc": 10}
                ).decode()
            )
        for viewer in viewers:
            frames = await frames_until(viewer, lambda fs: set(ids) <= set(latest(fs)), timeout=2.0)
            got = latest(frames)
            assert got[ids[1]]["lat"] == pytest.approx(48.87)
        assert time.monotonic() - sent < 2.0
        for phone in phones:  # and the pings were committed (ack means stored in PostGIS)
            ack = orjson.loads(await asyncio.wait_for(phone.recv(), 5))
            assert ack == {"type": "ack", "seqs": [1]}, ack
    finally:
        for ws in viewers + phones:
            await ws.close()
