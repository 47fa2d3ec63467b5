"""A fix dated in the future (within the tolerance) must not freeze the volunteer on HQ's map:
the live state follows the newest fix by arrival; a late backlog fix still does not move them."""

from __future__ import annotations

import time

import orjson
import redis.asyncio as aioredis

from server.events import volunteer_state_key
from tests.ingest.conftest import connected, ping_frame, recv_until
from tests.helpers.live import next_delta, subscribed


async def test_a_future_dated_fix_does_not_freeze_the_live_state(ingest, volunteer, redis_url):
    cid, uid = volunteer["campaign_id"], volunteer["id"]
    r = aioredis.from_url(redis_url)
    try:
        async with subscribed(redis_url, cid) as pubsub, connected(ingest.ws_url, volunteer["token"]) as (ws, _):
            now = time.time()
            await ws.send(ping_frame(1, t=now + 200, lat=48.8600))  # the device's clock runs 200 s fast
            await recv_until(ws, "ack")
            assert (await next_delta(pubsub, v=uid))["seq"] == 1
            await ws.send(ping_frame(2, t=now + 1, lat=48.8610))  # then it is corrected
            await recv_until(ws, "ack")
            assert (await next_delta(pubsub, v=uid))["seq"] == 2
            await ws.send(ping_frame(3, t=now - 30, lat=48.8620))  # a late backlog fix: stored, not news
            await recv_until(ws, "ack")
            await ws.send(ping_frame(4, t=now + 2, lat=48.8630))
            await recv_until(ws, "ack")
            assert (await next_delta(pubsub, v=uid))["seq"] == 4
        assert orjson.loads(await r.hget(volunteer_state_key(cid), str(uid)))["seq"] == 4
    finally:
        await r.aclose()
