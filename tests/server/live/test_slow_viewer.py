"""A viewer that stops reading must cost bounded memory and must not delay anyone else."""

from __future__ import annotations

import asyncio
import base64
import os
import socket
import time

import orjson

from tests.server.live.conftest import delta, publish, snapshot

VOLUNTEERS = 300


def stalled_viewer(port: int, token: str, slug: str) -> socket.socket:
    """A raw websocket client with a tiny receive buffer that authenticates and never reads."""
    s = socket.socket()
    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    s.connect(("127.0.0.1", port))
    key = base64.b64encode(os.urandom(16)).decode()
    s.sendall(
        (
            f"GET /ws/live HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nUpgrade: websocket\r\n"
            f"Connection: Upgrade\r\nSec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n\r\n"
        ).encode()
    )
    response = b""
    while b"\r\n\r\n" not in response:
        response += s.recv(1)
    assert b" 101 " in response, response
    payload = orjson.dumps({"type": "auth", "token": token, "campaign": slug})
    mask = os.urandom(4)
    assert len(payload) < 126
    s.sendall(bytes([0x81, 0x80 | len(payload)]) + mask + bytes(b ^ mask[i % 4] for i, b in enumerate(payload)))
    return s


async def test_slow_viewer_is_bounded_and_does_not_block_a_fast_one(live_server, redis, campaign, admin):
    cid = campaign["id"]
    slow = await asyncio.to_thread(stalled_viewer, live_server.port, admin["token"], campaign["slug"])
    fast, _ = await snapshot(live_server.url, admin["token"], campaign["slug"])
    hub = live_server.hub  # known once a request went through
    pad = "x" * 1000  # big states, so the stalled socket's kernel buffers fill within seconds
    lags: list[float] = []
    seq = 0

    async def read_fast():
        while True:
            frame = orjson.loads(await fast.recv())
            now = time.time() * 1000
            lags.extend(now - st["rt"] for st in frame["volunteers"])

    reader = asyncio.create_task(read_fast())
    try:
        started = time.monotonic()
        while time.monotonic() - started < 4.0:
            seq += 1
            await publish(redis, cid, [delta(v, seq=seq, pad=pad) for v in range(VOLUNTEERS)], store=False)
            await asyncio.sleep(0.05)
        await asyncio.sleep(0.5)
        feed = hub.feed(cid)
        viewers = sorted(feed.viewers, key=lambda v: v.frames_skipped)
        stalled = viewers[-1]
        # The stalled viewer's sends stopped completing, so frames were merged, not queued...
        assert stalled.frames_skipped > 5, [v.frames_skipped for v in viewers]
        # ...and what it holds is at most one entry per volunteer (+ one ready frame).
        assert stalled.pending() <= VOLUNTEERS + 1
        # The fast viewer kept up: it got the last round, and never lagged by more than 1 s.
        assert lags and max(lags) < 1000, max(lags)
        assert viewers[0].frames_skipped <= 2
    finally:
        reader.cancel()
        slow.close()
        await fast.close()
