"""Ingest websocket abuse (issue 12, item 6): a bounded outbox (a client that does not read its
frames is closed), a per-connection frame rate, refused pings (off shift, too old, out of range)
counting toward the malformed limit, and shift start/end frames throttled."""

from __future__ import annotations

import asyncio
import contextlib
import socket
import time

import orjson
import pytest
import websockets

from tests.ingest.conftest import ServerThread, connected, make_settings, ping, ping_frame, pings_frame


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


async def not_reading_socket(port: int) -> socket.socket:
    """A client socket with a small receive buffer: once the websocket client stops reading,
    what the server writes soon stays in the server's own write buffer."""
    sock = socket.socket()
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    sock.setblocking(False)
    await asyncio.get_running_loop().sock_connect(sock, ("127.0.0.1", port))
    return sock


async def test_a_client_whose_frames_pile_up_is_closed(strict, volunteer):
    # max_queue=1: the client library stops reading the socket after one unread frame.
    client = {"sock": await not_reading_socket(strict.port), "max_queue": 1}
    async with connected(strict.ws_url, volunteer["token"], client=client) as (ws, _):
        # Each frame: one ping taken, 79 out of range (79 error frames, about 7 KB): about ten
        # fill the kernel's buffers (32 KB of send buffer on the server), then frames wait in the
        # server's write buffer, and past 20 of them the server closes.
        with contextlib.suppress(websockets.ConnectionClosed):
            for frame in range(14):
                seq = frame * 100
                pings = [ping(seq)] + [ping(seq + i, lat=91.0) for i in range(1, 80)]
                await ws.send(pings_frame(pings))
                await asyncio.sleep(0.2)  # within the frame rate (5/s): no 1013
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
