"""server/events.py: key and channel names, and two stacks sharing one Redis under two prefixes."""

from __future__ import annotations

import asyncio
import time
import uuid

import orjson
import redis.asyncio as aioredis

from ingest.live import LivePublisher
from server import events
from server.live.frames import Scope
from server.live.hub import LiveHub


def test_names_are_prefixed_and_hash_tagged_by_campaign():
    assert events.live_channel(7) == "q:{c:7}:live"
    assert events.live_channel(7, "blue") == "blue:{c:7}:live"
    assert events.volunteer_state_key(7, "blue") == "blue:{c:7}:vstate"
    assert events.dispatch_channel(7, "blue") == "blue:{c:7}:dispatch"
    assert events.dispatch_pattern("blue") == "blue:{c:*}:dispatch"


def test_campaign_of_channel_reads_only_its_own_prefix():
    assert events.campaign_of_channel(b"blue:{c:42}:dispatch", "blue") == 42
    assert events.campaign_of_channel("blue:{c:42}:live", "blue") == 42
    assert events.campaign_of_channel(b"q:{c:42}:dispatch", "blue") is None
    assert events.campaign_of_channel(b"blue2:{c:42}:dispatch", "blue") is None
    assert events.campaign_of_channel(b"blue:{c:x}:dispatch", "blue") is None


def _ping(v: int) -> bytes:
    return events.ping_event(
        v,
        None,
        1,
        time.time(),
        int(time.time() * 1000),
        2.35,
        48.85,
        5.0,
        None,
        None,
        None,
        0x8B1FB46622DCFFF,
        None,
        None,
        None,
        None,
        None,
        False,
    )


async def _wait(predicate, timeout: float = 5.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        await asyncio.sleep(0.02)
    return predicate()


async def test_two_prefixes_on_one_redis_never_see_each_other(redis_url):
    red, blue = "t" + uuid.uuid4().hex[:8], "t" + uuid.uuid4().hex[:8]
    client = aioredis.from_url(redis_url)
    hubs = {p: LiveHub(client, 10.0, 300.0, p) for p in (red, blue)}
    for hub in hubs.values():
        await hub.start()
    try:
        campaign = 900_000 + int(time.time()) % 1000  # the same campaign id in both stacks
        viewers = {p: await hub.join(campaign, Scope(None, None)) for p, hub in hubs.items()}
        assert await _wait(lambda: all(campaign in h._subscribed for h in hubs.values()))
        await LivePublisher(client, red).publish(campaign, [_ping(11)], [11, _ping(11)])
        assert await _wait(lambda: hubs[red].messages == 1)
        await asyncio.sleep(0.3)  # time enough for a misrouted message to arrive
        assert hubs[blue].messages == 0
        red_snapshot = orjson.loads(await hubs[red].snapshot(viewers[red]))
        blue_snapshot = orjson.loads(await hubs[blue].snapshot(viewers[blue]))
        assert [s["v"] for s in red_snapshot["volunteers"]] == [11]
        assert blue_snapshot["volunteers"] == []
    finally:
        for hub in hubs.values():
            await hub.stop()
        await client.delete(events.volunteer_state_key(campaign, red), events.volunteer_state_key(campaign, blue))
        await client.aclose()
