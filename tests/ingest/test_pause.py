"""Pause at any time: a paused volunteer leaves HQ's map at once and is not tracked until they
resume; what they sent before pausing is still stored."""

from __future__ import annotations

import time

import orjson
import redis.asyncio as aioredis

from server.redis import volunteer_state_key
from tests.ingest.conftest import connected, ping_frame, recv_until, stored
from tests.helpers.live import next_delta, subscribed


async def test_pause_and_resume(ingest, pool, volunteer, redis_url):
    cid, uid = volunteer["campaign_id"], volunteer["id"]
    r = aioredis.from_url(redis_url)
    try:
        async with subscribed(redis_url, cid) as pubsub, connected(ingest.ws_url, volunteer["token"]) as (ws, _):
            t = time.time()
            await ws.send(ping_frame(1, t=t))
            await ws.send(orjson.dumps({"type": "pause"}).decode())
            assert (await recv_until(ws, "paused"))["type"] == "paused"
            # the ping sent before the pause went out live first, then the pause
            first, second = await next_delta(pubsub, kind=None), await next_delta(pubsub, kind=None)
            assert (first["type"], first["seq"]) == ("ping", 1)
            assert second == {"type": "pause", "v": uid}
            assert await r.hget(volunteer_state_key(cid), str(uid)) is None

            # while paused, pings are refused and not stored
            await ws.send(ping_frame(2, t=t + 1))
            err = await recv_until(ws, "error")
            assert (err["seq"], err["code"]) == (2, "paused")

            await ws.send(orjson.dumps({"type": "resume"}).decode())
            assert (await recv_until(ws, "resumed"))["type"] == "resumed"
            await ws.send(ping_frame(3, t=t + 2))
            acked: set[int] = set()
            while 3 not in acked:  # seq 1's ack (after its commit) may come in between
                acked |= set((await recv_until(ws, "ack"))["seqs"])
            assert 2 not in acked
            # HQ's activity feed hears of the resume, then the next ping shows them again
            assert await next_delta(pubsub, kind=None) == {"type": "resume", "v": uid}
            assert (await next_delta(pubsub))["seq"] == 3
        assert [row["seq"] for row in await stored(pool, uid)] == [1, 3]
        assert await r.hget(volunteer_state_key(cid), str(uid)) is not None
    finally:
        await r.aclose()


async def test_paused_follows_the_acks_of_what_came_before(ingest, volunteer):
    """A client may clear its outbox on `paused`: every ping sent before the pause is acked first."""
    async with connected(ingest.ws_url, volunteer["token"]) as (ws, _):
        t = time.time()
        for seq in range(1, 21):
            await ws.send(ping_frame(seq, t=t + seq * 0.01))
        await ws.send(orjson.dumps({"type": "pause"}).decode())
        acked: set[int] = set()
        while (frame := orjson.loads(await ws.recv()))["type"] != "paused":
            if frame["type"] == "ack":
                acked |= set(frame["seqs"])
    assert frame == {"type": "paused"}
    assert acked == set(range(1, 21))
