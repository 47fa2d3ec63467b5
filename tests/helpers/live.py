"""Watching a campaign's live channel on Redis, as HQ's hub does."""

from __future__ import annotations

import contextlib
import time

import orjson
import redis.asyncio as aioredis

from server.events import live_channel


@contextlib.asynccontextmanager
async def subscribed(redis_url: str, campaign_id: int):
    client = aioredis.from_url(redis_url)
    pubsub = client.pubsub()
    await pubsub.subscribe(live_channel(campaign_id))
    await pubsub.get_message(timeout=1)  # the subscribe confirmation
    try:
        yield pubsub
    finally:
        await pubsub.aclose()
        await client.aclose()


async def next_delta(pubsub, timeout: float = 5.0, kind: str | None = "ping", v: int | None = None) -> dict:
    """The next message of `kind` on the channel (None: any), skipping others (a shift start);
    with `v`, of that volunteer only (a dev stack sharing the Redis server may publish on a
    channel of the same campaign id)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        msg = await pubsub.get_message(ignore_subscribe_messages=True, timeout=0.2)
        if msg:
            obj = orjson.loads(msg["data"])
            if (kind is None or obj.get("type") == kind) and (v is None or obj.get("v") == v):
                return obj
    raise TimeoutError(f"no live {kind or 'message'}")
