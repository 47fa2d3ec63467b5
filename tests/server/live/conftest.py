"""A real HQ server (uvicorn, websockets-sansio, its own thread and loop) for the live feed, and
helpers to publish deltas as ingest does and to watch /ws/live as the HQ map does."""

from __future__ import annotations

import asyncio
import contextlib
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable

import orjson
import pytest
import redis.asyncio as aioredis
import uvicorn
import websockets

from server.app import create_app
from server.redis import live_channel, volunteer_state_key
from tests.conftest import add_user
from tests.servers import UvicornThread, free_port

FPS = 10.0
STALE_AFTER_S = 1.5


class LiveServer(UvicornThread):
    """The HQ server, with a window onto this process's live hub for the tests."""

    def __init__(self, settings) -> None:
        self.state: dict = {}
        app = create_app(settings)

        async def capture_state(scope, receive, send):
            # Lets tests look into this process's hub (viewers' backlogs), read-only.
            if scope["type"] != "lifespan":
                self.state.update(scope["state"])
            await app(scope, receive, send)

        super().__init__(
            uvicorn.Config(
                capture_state,
                host="127.0.0.1",
                port=free_port(),
                log_level="warning",
                ws="websockets-sansio",
                lifespan="on",
            ),
            "HQ server",
        )

    @property
    def url(self) -> str:
        return f"ws://127.0.0.1:{self.port}/ws/live"

    @property
    def hub(self):
        return self.state["live_hub"]


@pytest.fixture(scope="session")
async def live_server(settings):
    s = settings.model_copy(
        update=dict(live_frames_per_second=FPS, live_stale_after_s=STALE_AFTER_S, live_auth_timeout_s=1.0)
    )
    server = await asyncio.to_thread(LiveServer(s).start)
    yield server
    await asyncio.to_thread(server.stop)


@pytest.fixture
async def redis(redis_url):
    client = aioredis.from_url(redis_url)
    yield client
    await client.aclose()


@pytest.fixture
async def admin(pool, campaign) -> dict:
    return await add_user(pool, campaign["slug"], "admin", "HQ")


def delta(v: int, seq: int = 1, lon: float = 2.35, lat: float = 48.86, team=None, ds=None, rt=None, **extra) -> dict:
    d = {
        "type": "ping",
        "v": v,
        "team": team,
        "seq": seq,
        "t": time.time() - 1 + seq * 1e-4,
        "rt": rt if rt is not None else int(time.time() * 1000),
        "lon": lon,
        "lat": lat,
        "acc": 10.0,
        "hdg": None,
        "spd": None,
        "bat": None,
        "cell": "8b1fb46622dcfff",
        "ps": None,
        "nb": None,
        "ds": ds,
        "zone": None,
        "ev": None,
        "low_acc": False,
    }
    d.update(extra)
    return d


async def publish(redis, campaign_id: int, deltas: list[dict], store: bool = True) -> None:
    """As ingest does: PUBLISH each delta, and HSET the newest state per volunteer."""
    pipe = redis.pipeline(transaction=False)
    for d in deltas:
        raw = orjson.dumps(d)
        pipe.publish(live_channel(campaign_id), raw)
        if store and d.get("type", "ping") == "ping":
            pipe.hset(volunteer_state_key(campaign_id), str(d["v"]), raw)
    await pipe.execute()


@contextlib.asynccontextmanager
async def commands_on(redis, key: str) -> AsyncIterator[Callable[[], Awaitable[list[str]]]]:
    """The commands any client sends Redis on `key` (its first argument), as "HGETALL <key>",
    seen by MONITOR from entering the block. Counting this one key, not Redis's server-wide
    command stats, leaves out what other keys' readers do meanwhile: the HQ servers' background
    jobs (the alert evaluator reads every on-shift campaign's hash every 15 s), other clients.
    Call the yielded function to get them up to now: MONITOR reports commands in the order Redis
    ran them, so once a marker sent after the work shows up, every command before it has too."""
    seen: list[str] = []
    marker = f"commands-on-{uuid.uuid4().hex}"
    async with redis.monitor() as monitor:  # its OK reply means Redis reports from here on

        async def until_now() -> list[str]:
            await redis.echo(marker)
            async with asyncio.timeout(10):
                while (command := (await monitor.next_command())["command"]) != f"ECHO {marker}":
                    name, _, args = command.partition(" ")
                    if args.split(" ")[0] == key:
                        seen.append(f"{name.upper()} {args}")
            return list(seen)

        yield until_now


async def connect(url: str, token: str, campaign: str, **scope):
    ws = await websockets.connect(url, max_size=None)
    await ws.send(orjson.dumps({"type": "auth", "token": token, "campaign": campaign, **scope}).decode())
    return ws


async def snapshot(url: str, token: str, campaign: str, **scope):
    ws = await connect(url, token, campaign, **scope)
    first = orjson.loads(await asyncio.wait_for(ws.recv(), 5))
    assert first["type"] == "snapshot", first
    return ws, first


async def frames_until(ws, done, timeout: float = 5.0) -> list[dict]:
    """Receive frames until done(frames) is true; fail after timeout."""
    frames: list[dict] = []
    deadline = time.monotonic() + timeout
    while not done(frames):
        left = deadline - time.monotonic()
        if left <= 0:
            raise AssertionError(f"timed out; got {frames!r}"[:2000])
        try:
            frames.append(orjson.loads(await asyncio.wait_for(ws.recv(), left)))
        except TimeoutError:
            continue
    return frames


async def frames_for(ws, seconds: float) -> list[dict]:
    frames: list[dict] = []
    deadline = time.monotonic() + seconds
    while (left := deadline - time.monotonic()) > 0:
        try:
            frames.append(orjson.loads(await asyncio.wait_for(ws.recv(), left)))
        except TimeoutError:
            break
    return frames


def latest(frames: list[dict]) -> dict[int, dict]:
    out: dict[int, dict] = {}
    for f in frames:
        for st in f.get("volunteers", []):
            out[st["v"]] = st
        for v in f.get("gone", []):
            out.pop(v, None)
    return out
