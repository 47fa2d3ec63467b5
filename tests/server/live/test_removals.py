"""Positions deleted from Redis without a shift ending (retention's expiry, an erase) leave every
HQ feed: the hub serves snapshots from memory, so without the removal event a viewer joining
later would still be sent a position that the retention job deleted."""

from __future__ import annotations

import time

import orjson

from server.events import DEFAULT_PREFIX, removed_event, volunteer_state_key
from server.retention.job import prune_live_states
from tests.server.live.conftest import delta, frames_until, publish, snapshot

AGED, FRESH = 990_001, 990_002


async def test_expired_positions_leave_the_feed_and_later_snapshots(live_server, redis, campaign, admin):
    cid = campaign["id"]
    await publish(redis, cid, [delta(AGED), delta(FRESH)])
    ws, snap = await snapshot(live_server.url, admin["token"], campaign["slug"])
    async with ws:
        assert {AGED, FRESH} <= {s["v"] for s in snap["volunteers"]}
        # The hash ages (ingest's writes carry rt, the server's receive time); nothing is published.
        two_hours_ago = int((time.time() - 7200) * 1000)
        await redis.hset(volunteer_state_key(cid), str(AGED), orjson.dumps(delta(AGED, rt=two_hours_ago)))
        assert await prune_live_states(redis, cid, 3600, DEFAULT_PREFIX) == 1
        await frames_until(ws, lambda fs: any(AGED in f.get("gone", []) for f in fs))
    ws, snap = await snapshot(live_server.url, admin["token"], campaign["slug"])
    async with ws:
        held = {s["v"] for s in snap["volunteers"]}
        assert AGED not in held and FRESH in held


def test_the_removal_event_names_each_volunteer():
    assert orjson.loads(removed_event([3, 4])) == {
        "type": "batch",
        "deltas": [{"type": "gone", "v": 3}, {"type": "gone", "v": 4}],
    }
