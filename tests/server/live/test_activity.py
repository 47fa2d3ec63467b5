"""Shifts and pauses on HQ's live feed: who is on shift in the snapshot (from PostGIS), and
"started a shift", "ended", "paused", "resumed" as activity events, kept to the viewer's scope."""

from __future__ import annotations

from server.shifts import live as shift_live
from server.shifts import queries as shift_queries
from tests.conftest import add_user
from tests.ingest.conftest import user_id
from tests.server.live.conftest import delta, frames_until, latest, publish, snapshot


def events(frames: list[dict]) -> list[dict]:
    return [e for f in frames for e in f.get("events", []) if e.get("type") in ("shift", "pause", "resume")]


async def test_snapshot_lists_who_is_on_shift(live_server, pool, campaign, admin):
    ada = await user_id(pool, (await add_user(pool, campaign["slug"], "volunteer", "Ada"))["login"])
    bo = await user_id(pool, (await add_user(pool, campaign["slug"], "volunteer", "Bo"))["login"])
    async with pool.acquire() as c:
        shift, _ = await shift_queries.start(c, campaign["id"], ada, 12.0)
        ended, _ = await shift_queries.start(c, campaign["id"], bo, 12.0)
        await shift_queries.end(c, campaign["id"], ended.id, "volunteer", 12.0)
    ws, snap = await snapshot(live_server.url, admin["token"], campaign["slug"])
    await ws.close()
    assert snap["on_shift"] == [{"v": ada, "since": shift.started_at.timestamp(), "team": None}]


async def test_shift_and_pause_events_reach_the_feed(live_server, redis, pool, campaign, admin):
    cid = campaign["id"]
    ada = await user_id(pool, (await add_user(pool, campaign["slug"], "volunteer", "Ada"))["login"])
    async with pool.acquire() as c:
        shift, _ = await shift_queries.start(c, cid, ada, 12.0)
    ws, _ = await snapshot(live_server.url, admin["token"], campaign["slug"])
    async with ws:
        assert await shift_live.publish_started(redis, cid, shift, team=None)
        await publish(redis, cid, [delta(ada, ds="D1")])
        frames = await frames_until(ws, lambda fs: ada in latest(fs) and events(fs))
        assert [(e["type"], e["v"], e["on"]) for e in events(frames)] == [("shift", ada, True)]

        await publish(redis, cid, [{"type": "pause", "v": ada}])
        frames = await frames_until(ws, lambda fs: any(ada in f["gone"] for f in fs))
        assert [e["type"] for e in events(frames)] == ["pause"]  # off the map, and said why
        await publish(redis, cid, [{"type": "resume", "v": ada}, delta(ada, seq=2, ds="D1")])
        frames = await frames_until(ws, lambda fs: ada in latest(fs))
        assert [e["type"] for e in events(frames)] == ["resume"]

        async with pool.acquire() as c:
            ended = await shift_queries.end(c, cid, shift.id, "hq", 12.0)
        assert await shift_live.publish_ended(redis, cid, ended)
        frames = await frames_until(ws, lambda fs: any(ada in f["gone"] for f in fs))
        assert [(e["type"], e["on"], e["by"]) for e in events(frames)] == [("shift", False, "hq")]


async def test_events_follow_the_viewers_scope(live_server, redis, pool, campaign, admin):
    cid = campaign["id"]
    await publish(redis, cid, [delta(1, ds="D1", team=10), delta(2, ds="D2", team=20)])
    d1, _ = await snapshot(live_server.url, admin["token"], campaign["slug"], district="D1")
    t20, _ = await snapshot(live_server.url, admin["token"], campaign["slug"], team=20)
    async with d1, t20:
        await publish(redis, cid, [{"type": "pause", "v": 2}, {"type": "pause", "v": 1}])
        frames = await frames_until(d1, lambda fs: any(1 in f["gone"] for f in fs))
        assert [e["v"] for e in events(frames)] == [1]  # the district it was last seen in
        frames = await frames_until(t20, lambda fs: any(2 in f["gone"] for f in fs))
        assert [e["v"] for e in events(frames)] == [2]  # its team
