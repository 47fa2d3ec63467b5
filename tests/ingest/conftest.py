"""A real ingest service (uvicorn, websockets-sansio) in a background thread, and helpers.

The server runs its own event loop in its own thread, so the test's awaits never stall it.
"""

from __future__ import annotations

import asyncio
import contextlib
import time

import orjson
import pytest
import websockets

from ingest.app import uvicorn_config
from tests.conftest import add_user, agree_to_location, start_shift
from tests.servers import UvicornThread, free_port


class ServerThread(UvicornThread):
    """The ingest service, as `quadriller ingest` configures it."""

    def __init__(self, settings, port: int | None = None) -> None:
        super().__init__(
            uvicorn_config(settings, "127.0.0.1", port or free_port(), log_level="warning"), "ingest server"
        )

    @property
    def ws_url(self) -> str:
        return f"ws://127.0.0.1:{self.port}/ws/pings"


def make_settings(settings, **overrides):
    base = dict(ingest_auth_timeout_s=1.0, ingest_batch_wait_ms=5.0)
    base.update(overrides)
    return settings.model_copy(update=base)


@pytest.fixture(scope="session")
async def ingest(settings):
    server = await asyncio.to_thread(ServerThread(make_settings(settings)).start)
    yield server
    await asyncio.to_thread(server.stop)


@pytest.fixture
async def off_duty(pool, campaign) -> dict:
    """A volunteer with no shift open, who agreed to location sharing (so may start one)."""
    user = await add_user(pool, campaign["slug"], "volunteer", "Vol")
    async with pool.acquire() as c:
        user["id"] = await c.fetchval("SELECT id FROM users WHERE login = $1", user["login"])
    user["campaign_id"] = campaign["id"]
    await agree_to_location(pool, campaign["id"], user["id"])
    return user


@pytest.fixture
async def volunteer(pool, off_duty) -> dict:
    """A volunteer on shift (pings are taken only during a shift)."""
    off_duty["shift"] = await start_shift(pool, off_duty["campaign_id"], off_duty["id"])
    return off_duty


async def user_id(pool, login: str) -> int:
    async with pool.acquire() as c:
        return await c.fetchval("SELECT id FROM users WHERE login = $1", login)


@contextlib.asynccontextmanager
async def connected(url: str, token: str, shift: bool = True, client: dict | None = None, **auth):
    """An authenticated websocket; yields (ws, ready frame). With `shift`, a shift is open
    (pings are taken only during one) and ready["shift"] says which. `client`: more arguments
    of websockets.connect."""
    async with websockets.connect(url, max_size=None, **(client or {})) as ws:
        await ws.send(orjson.dumps({"type": "auth", "token": token, "protocol": 1, **auth}).decode())
        ready = orjson.loads(await asyncio.wait_for(ws.recv(), 10))
        assert ready["type"] == "ready", ready
        if shift and ready["shift"] is None:
            await ws.send('{"type":"shift","action":"start"}')
            started = await recv_until(ws, "shift")
            assert started["state"] == "on", started
            ready["shift"] = started["shift"]
        yield ws, ready


async def recv_until(ws, kind: str, timeout: float = 5.0) -> dict:
    """The next frame of `kind`, skipping others."""
    deadline = time.monotonic() + timeout
    while True:
        frame = orjson.loads(await asyncio.wait_for(ws.recv(), max(0.01, deadline - time.monotonic())))
        if frame["type"] == kind:
            return frame


async def frames_for(ws, seconds: float) -> list[dict]:
    out = []
    deadline = time.monotonic() + seconds
    with contextlib.suppress(TimeoutError):
        while (left := deadline - time.monotonic()) > 0:
            out.append(orjson.loads(await asyncio.wait_for(ws.recv(), left)))
    return out


def ping(seq: int, lat: float = 48.8566, lon: float = 2.3522, t: float | None = None, acc: float = 8.0, **kw) -> dict:
    return {"seq": seq, "t": time.time() if t is None else t, "lat": lat, "lon": lon, "acc": acc, **kw}


def ping_frame(*args, **kw) -> str:
    return orjson.dumps({"type": "ping", **ping(*args, **kw)}).decode()


def pings_frame(pings: list[dict]) -> str:
    return orjson.dumps({"type": "pings", "pings": pings}).decode()


async def stored(pool, volunteer_id: int, source: str | None = None) -> list:
    async with pool.acquire() as c:
        return await c.fetch(
            "SELECT seq, source, extract(epoch FROM ts) AS t, ST_X(geog::geometry) AS lon, "
            "ST_Y(geog::geometry) AS lat, acc, alt, spd, hdg, bat, cell, polling_station_id, "
            "neighbourhood_id, district_id, low_accuracy FROM pings "
            "WHERE volunteer_id = $1 AND ($2::text IS NULL OR source = $2) ORDER BY ts, seq",
            volunteer_id,
            source,
        )
