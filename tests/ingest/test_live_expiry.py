"""Positions in Redis expire: the volunteer-state hash has a TTL (live_state_ttl_s), and a shift
that ends by timeout removes the volunteer's live state (and tells their websocket)."""

from __future__ import annotations

import asyncio
import time

import redis.asyncio as aioredis

from server.events import volunteer_state_key
from tests.ingest.conftest import ServerThread, connected, make_settings, ping_frame, recv_until


async def test_live_state_has_an_expiry(settings, volunteer, redis_url):
    server = await asyncio.to_thread(ServerThread(make_settings(settings, live_state_ttl_s=120)).start)
    r = aioredis.from_url(redis_url)
    key = volunteer_state_key(volunteer["campaign_id"])
    try:
        async with connected(server.ws_url, volunteer["token"]) as (ws, _):
            await ws.send(ping_frame(1))
            await recv_until(ws, "ack")
            deadline = time.monotonic() + 5
            while not await r.hexists(key, str(volunteer["id"])) and time.monotonic() < deadline:
                await asyncio.sleep(0.02)
            assert 0 < await r.ttl(key) <= 120
    finally:
        await r.aclose()
        await asyncio.to_thread(server.stop)


async def test_timeout_end_removes_the_live_state(settings, pool, volunteer, redis_url):
    server = await asyncio.to_thread(ServerThread(make_settings(settings, shift_timeout_sweep_s=0.2)).start)
    r = aioredis.from_url(redis_url)
    key, field = volunteer_state_key(volunteer["campaign_id"]), str(volunteer["id"])
    try:
        async with connected(server.ws_url, volunteer["token"]) as (ws, ready):
            await ws.send(ping_frame(1))
            await recv_until(ws, "ack")
            deadline = time.monotonic() + 5
            while not await r.hexists(key, field) and time.monotonic() < deadline:
                await asyncio.sleep(0.02)
            assert await r.hexists(key, field)
            async with pool.acquire() as c:  # the phone died 13 hours ago (shift_max_hours: 12)
                await c.execute(
                    "UPDATE shifts SET started_at = now() - interval '13 hours' WHERE id = $1", ready["shift"]["id"]
                )
            pushed = await recv_until(ws, "shift")
            await ws.send(ping_frame(2))
            refused = await recv_until(ws, "error")
        assert (pushed["state"], pushed["ended_by"], pushed["shift"]["id"]) == ("off", "timeout", ready["shift"]["id"])
        assert (refused["seq"], refused["code"]) == (2, "off_shift")
        deadline = time.monotonic() + 2
        while await r.hexists(key, field) and time.monotonic() < deadline:
            await asyncio.sleep(0.02)
        assert not await r.hexists(key, field)
        async with pool.acquire() as c:
            assert await c.fetchval("SELECT ended_by FROM shifts WHERE id = $1", ready["shift"]["id"]) == "timeout"
    finally:
        await r.aclose()
        await asyncio.to_thread(server.stop)
