"""Ingest websocket abuse (issue 12, item 6): a bounded outbox (a client that does not read its
frames is closed), a per-connection frame rate, refused pings (off shift, too old, out of range)
counting toward the malformed limit, and shift start/end frames throttled."""

from __future__ import annotations

import asyncio
import contextlib
import time

import orjson
import pytest
import websockets

from ingest.outbox import Outbox
from tests.ingest.conftest import ServerThread, connected, make_settings, ping, ping_frame, pings_frame


def test_outbox_drops_past_its_bound_and_says_so():
    out = Outbox(10)
    for i in range(10):
        out.put_nowait(str(i))
    assert not out.overflowed and len(out) == 10
    out.put_nowait("one too many")
    assert out.overflowed and len(out) == 10
    out.put_control(None)  # the sender's end always gets through
    assert len(out) == 11


@pytest.fixture(scope="module")
async def strict(settings):
    server = await asyncio.to_thread(
        ServerThread(
            make_settings(
                settings,
                ingest_outbox_max_frames=20,
                ingest_frames_per_s=5.0,
                ingest_frames_burst=10.0,
                ingest_shift_changes_per_min=6.0,
                ingest_shift_changes_burst=3.0,
            )
        ).start
    )
    yield server
    await asyncio.to_thread(server.stop)


async def close_code(ws, seconds: float = 5.0) -> int | None:
    with pytest.raises(websockets.ConnectionClosed) as closed:
        deadline = time.monotonic() + seconds
        while True:
            await asyncio.wait_for(ws.recv(), max(0.01, deadline - time.monotonic()))
    return closed.value.rcvd.code if closed.value.rcvd else None


async def test_a_client_whose_frames_pile_up_is_closed(strict, volunteer):
    async with connected(strict.ws_url, volunteer["token"]) as (ws, _):
        # 50 pings out of range: 50 error frames for an outbox of 20; the next frame finds it full
        await ws.send(pings_frame([ping(i, lat=91.0) for i in range(1, 51)]))
        with contextlib.suppress(websockets.ConnectionClosed):
            await ws.send(ping_frame(51))
        assert await close_code(ws) == 1008


async def test_too_many_frames_per_second_close_the_connection(strict, volunteer):
    async with connected(strict.ws_url, volunteer["token"]) as (ws, _):
        with contextlib.suppress(websockets.ConnectionClosed):
            for i in range(1, 31):
                await ws.send(ping_frame(i))
        assert await close_code(ws) == 1013


async def test_off_shift_frames_count_toward_the_malformed_limit(strict, off_duty):
    async with connected(strict.ws_url, off_duty["token"], shift=False) as (ws, _):
        with contextlib.suppress(websockets.ConnectionClosed):
            for i in range(1, 6):
                await ws.send(ping_frame(i))
        assert await close_code(ws) == 1007


async def test_shift_frames_are_throttled(strict, pool, off_duty):
    async with connected(strict.ws_url, off_duty["token"], shift=False) as (ws, _):
        for action in ("start", "end") * 3:
            await ws.send(orjson.dumps({"type": "shift", "action": action}).decode())
        frames = []
        with contextlib.suppress(TimeoutError):
            while len(frames) < 6:
                frames.append(orjson.loads(await asyncio.wait_for(ws.recv(), 3.0)))
    kinds = [f["type"] for f in frames]
    assert kinds.count("shift") == 3 and kinds.count("throttle") == 3, kinds
    assert all(f["seqs"] == [] and f["retry_after_ms"] > 0 for f in frames if f["type"] == "throttle")
    async with pool.acquire() as c:  # start, end, start: two shifts opened, not three
        assert await c.fetchval("SELECT count(*) FROM shifts WHERE user_id = $1", off_duty["id"]) == 2
