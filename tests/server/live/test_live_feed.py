"""/ws/live against a real server, real Redis and PostgreSQL: what an HQ map receives."""

from __future__ import annotations

import asyncio
import time

import orjson
import pytest
import websockets

from server.redis import live_channel, volunteer_state_key
from server.sql import sql
from tests.conftest import add_user
from tests.servers import until
from tests.server.live.conftest import (
    STALE_AFTER_S,
    commands_on,
    delta,
    frames_for,
    frames_until,
    latest,
    publish,
    snapshot,
)


async def test_snapshot_then_deltas(live_server, redis, campaign, admin):
    cid = campaign["id"]
    await publish(
        redis, cid, [delta(1, lon=2.30), delta(2, lon=2.31), delta(3, rt=int(time.time() * 1000) - 3_600_000)]
    )
    ws, snap = await snapshot(live_server.url, admin["token"], campaign["slug"])
    async with ws:
        by_v = {s["v"]: s for s in snap["volunteers"]}
        assert set(by_v) == {1, 2, 3}
        assert by_v[1]["lon"] == 2.30 and by_v[1]["stale"] is False
        assert by_v[3]["stale"] is True  # last ping an hour ago
        await publish(redis, cid, [delta(1, seq=2, lon=2.40), delta(4, lon=2.50)])
        frames = await frames_until(ws, lambda fs: {1, 4} <= set(latest(fs)))
        assert all(f["type"] == "deltas" and {"t", "volunteers", "stale", "gone"} <= f.keys() for f in frames)
        got = latest(frames)
        assert got[1]["lon"] == 2.40 and got[4]["lon"] == 2.50


async def test_coalescing_1000_deltas_10_volunteers(live_server, redis, campaign, admin):
    cid = campaign["id"]
    ws, _ = await snapshot(live_server.url, admin["token"], campaign["slug"])
    async with ws:
        burst = [delta(v, seq=s, lon=2.0 + s / 1000) for s in range(1, 101) for v in range(1, 11)]
        started = time.monotonic()
        await publish(redis, cid, burst)
        publish_s = time.monotonic() - started
        frames = await frames_for(ws, 1.5)
        got = latest(frames)
        assert set(got) == set(range(1, 11))
        assert all(st["seq"] == 100 and st["lon"] == pytest.approx(2.1) for st in got.values())
        # 1,000 deltas in ~publish_s: one frame per tick at most, never one per delta.
        assert len(frames) <= 3 + int(publish_s * 10), (len(frames), publish_s)
        assert all(len(f["volunteers"]) <= 10 for f in frames)


async def test_stale_marking(live_server, redis, campaign, admin):
    cid = campaign["id"]
    ws, _ = await snapshot(live_server.url, admin["token"], campaign["slug"])
    async with ws:
        await publish(redis, cid, [delta(7)])
        frames = await frames_until(ws, lambda fs: any(7 in f["stale"] for f in fs), timeout=STALE_AFTER_S + 3)
        assert 7 in latest(frames)  # its state came first, then it turned stale
        # A new ping makes it live again: it appears among "volunteers" and not as stale.
        await publish(redis, cid, [delta(7, seq=2)])
        frames = await frames_until(ws, lambda fs: 7 in latest(fs))
        assert all(7 not in f["stale"] for f in frames)


async def test_pause_removes_the_volunteer(live_server, redis, campaign, admin):
    cid = campaign["id"]
    await publish(redis, cid, [delta(5), delta(6)])
    ws, snap = await snapshot(live_server.url, admin["token"], campaign["slug"])
    async with ws:
        assert {s["v"] for s in snap["volunteers"]} == {5, 6}
        await publish(redis, cid, [{"type": "pause", "v": 5}, {"type": "resume", "v": 6}])
        frames = await frames_until(ws, lambda fs: any(5 in f["gone"] for f in fs))
        assert all(6 not in f["gone"] for f in frames)


async def test_batch_messages_are_understood(live_server, redis, campaign, admin):
    cid = campaign["id"]
    ws, _ = await snapshot(live_server.url, admin["token"], campaign["slug"])
    async with ws:
        await redis.publish(live_channel(cid), orjson.dumps([delta(11), delta(12)]))
        await redis.publish(live_channel(cid), orjson.dumps({"type": "batch", "deltas": [delta(13)]}))
        await redis.publish(live_channel(cid), b"not json")  # ignored, the reader carries on
        await redis.publish(live_channel(cid), orjson.dumps({"type": "future-kind", "v": 1}))
        frames = await frames_until(ws, lambda fs: {11, 12, 13} <= set(latest(fs)))
        assert set(latest(frames)) == {11, 12, 13}


async def test_district_and_team_scoping(live_server, redis, campaign, admin):
    cid = campaign["id"]
    await publish(redis, cid, [delta(1, ds="D1", team=10), delta(2, ds="D2", team=20)])
    d1, snap_d1 = await snapshot(live_server.url, admin["token"], campaign["slug"], district="D1")
    t20, snap_t20 = await snapshot(live_server.url, admin["token"], campaign["slug"], team=20)
    async with d1, t20:
        assert [s["v"] for s in snap_d1["volunteers"]] == [1]
        assert [s["v"] for s in snap_t20["volunteers"]] == [2]
        await publish(redis, cid, [delta(2, seq=2, ds="D1", team=20), delta(3, ds="D2", team=10)])
        frames = await frames_until(d1, lambda fs: 2 in latest(fs))
        assert 3 not in latest(frames)
        frames = await frames_until(t20, lambda fs: 2 in latest(fs))
        assert 3 not in latest(frames)
        # Volunteer 1 leaves D1: the D1 viewer is told it is gone from its scope.
        await publish(redis, cid, [delta(1, seq=2, ds="D2", team=10)])
        frames = await frames_until(d1, lambda fs: any(1 in f["gone"] for f in fs))
        assert 1 not in latest(frames)


async def _close_code(url: str, auth: dict | bytes | None) -> int:
    ws = await websockets.connect(url)
    if auth is not None:
        await ws.send(auth if isinstance(auth, bytes) else orjson.dumps(auth))
    with pytest.raises(websockets.ConnectionClosed) as closed:
        await asyncio.wait_for(ws.recv(), 5)
    return closed.value.rcvd.code


async def test_only_admins_and_coordinators_of_the_campaign(live_server, pool, campaign, admin):
    slug = campaign["slug"]
    volunteer = await add_user(pool, slug, "volunteer", "Vol")
    coordinator = await add_user(pool, slug, "coordinator", "Coord")
    from server.campaigns.queries import create_campaign

    async with pool.acquire() as c:
        other_campaign = dict(await create_campaign(c, slug + "-o", "other"))
    other = await add_user(pool, other_campaign["slug"], "admin", "Other HQ")

    url = live_server.url
    assert await _close_code(url, {"type": "auth", "token": volunteer["token"], "campaign": slug}) == 1008
    assert await _close_code(url, {"type": "auth", "token": other["token"], "campaign": slug}) == 1008
    assert await _close_code(url, {"type": "auth", "token": "nope", "campaign": slug}) == 1008
    assert await _close_code(url, {"type": "auth", "token": admin["token"], "campaign": "no-such"}) == 1008
    assert await _close_code(url, b"{not json") == 1008
    assert await _close_code(url, None) == 1008  # no auth frame within live_auth_timeout_s
    ws, snap = await snapshot(url, coordinator["token"], slug)
    async with ws:
        assert snap["volunteers"] == []


async def test_a_campaign_sees_only_its_own_channel(live_server, redis, pool, campaign, admin):
    from server.campaigns.queries import create_campaign

    async with pool.acquire() as c:
        other = dict(await create_campaign(c, campaign["slug"] + "-x", "other"))
    ws, _ = await snapshot(live_server.url, admin["token"], campaign["slug"])
    async with ws:
        await publish(redis, other["id"], [delta(99)])
        await publish(redis, campaign["id"], [delta(1)])
        frames = await frames_until(ws, lambda fs: 1 in latest(fs))
        frames += await frames_for(ws, 0.3)
        assert 99 not in latest(frames)


async def test_subscription_follows_viewers(live_server, campaign, admin):
    hub = live_server.hub
    ws, _ = await snapshot(live_server.url, admin["token"], campaign["slug"])
    assert hub.feed(campaign["id"]) is not None
    await ws.close()
    deadline = time.monotonic() + 3
    while hub.feed(campaign["id"]) is not None and time.monotonic() < deadline:
        await asyncio.sleep(0.05)
    assert hub.feed(campaign["id"]) is None  # last viewer gone: unsubscribed, state dropped


async def test_binary_deltas_carry_the_same_positions(live_server, redis, campaign, admin):
    from server.live.binary import decode

    cid = campaign["id"]
    ws, snap = await snapshot(live_server.url, admin["token"], campaign["slug"], encoding="binary")
    async with ws:
        assert snap["type"] == "snapshot"  # the snapshot stays JSON
        await publish(
            redis,
            cid,
            [delta(1, lon=2.301234, lat=48.81234, ds="75113", ev="enter"), delta(2, lon=2.4, lat=48.9, team=5)],
        )
        got: dict[int, dict] = {}
        index: dict[int, int] = {}
        events = []
        deadline = time.monotonic() + 5
        while len(got) < 2 and time.monotonic() < deadline:
            data = await asyncio.wait_for(ws.recv(), 5)
            assert isinstance(data, bytes)
            f = decode(data)
            index.update({i: v for i, v in f.get("dict", [])})
            events += f.get("events", [])
            for u in f["updates"]:
                got[index[u["i"]]] = u
        assert got[1]["lon"] == pytest.approx(2.30123, abs=1e-5) and got[1]["lat"] == pytest.approx(48.81234)
        assert got[2]["lon"] == pytest.approx(2.4)
        assert [e["v"] for e in events if e.get("ev") == "enter"] == [1]


async def test_viewers_joining_together_read_the_hash_once(live_server, redis, pool, campaign, admin):
    """A snapshot comes from the campaign's feed once it is seeded: viewers joining at once wait
    for one read of the Redis hash (15 MB at 50,000 volunteers), later ones read none."""
    cid = campaign["id"]
    await publish(redis, cid, [delta(v, lon=2.30 + v / 1000) for v in range(1, 21)])
    key = volunteer_state_key(cid)
    joining: list[asyncio.Future] = []
    late = None
    async with commands_on(redis, key) as commands:
        try:
            # Joining together for sure, not one after the other as a fast read of 20 entries
            # would let them: each viewer, joined, waits for the on-shift list behind a lock on
            # shifts; then Redis holds the first one's read (CLIENT PAUSE) while the others ask.
            async with pool.acquire() as c, c.transaction():
                await c.execute("LOCK TABLE shifts IN ACCESS EXCLUSIVE MODE")
                joining = [
                    asyncio.ensure_future(snapshot(live_server.url, admin["token"], campaign["slug"])) for _ in range(4)
                ]

                async def all_waiting() -> bool:
                    for task in joining:
                        if task.done():
                            task.result()  # one that failed: its error, not a timeout
                    waiting = await pool.fetchval(
                        "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND query = $1",
                        sql("shifts/open_of_campaign"),
                    )
                    return waiting >= len(joining)

                await until(all_waiting, what="the viewers waiting for the on-shift list")
                # Every command waits a second, ages for the others once the lock goes.
                await redis.client_pause(1000, all=True)
            joined = await asyncio.gather(*joining)
            late = await snapshot(live_server.url, admin["token"], campaign["slug"])
            assert await commands() == [f"HGETALL {key}"]
            for _, snap in [*joined, late]:
                assert {s["v"] for s in snap["volunteers"]} == set(range(1, 21))
                assert all(s["stale"] is False for s in snap["volunteers"])
        finally:
            opened = [t.result() for t in joining if t.done() and not t.cancelled() and t.exception() is None]
            for task in joining:
                task.cancel()  # still joining after a failure
            for ws, _ in [*opened, *([late] if late else [])]:
                await ws.close()
