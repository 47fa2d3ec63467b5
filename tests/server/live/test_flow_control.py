"""Viewers that acknowledge frames ("flow": "ack") get the next frame only after acknowledging
the previous one, with everything in between merged: a browser that draws slowly stays current
instead of queueing frames it cannot draw."""

from __future__ import annotations

import asyncio

import orjson

from tests.server.live.conftest import delta, frames_for, latest, publish, snapshot


async def test_unacknowledged_viewer_gets_one_merged_frame(live_server, redis, campaign, admin):
    cid = campaign["id"]
    ws, _ = await snapshot(live_server.url, admin["token"], campaign["slug"], flow="ack")
    async with ws:
        # the snapshot is not acknowledged: nothing more comes, however much happens
        for seq in range(1, 21):
            await publish(redis, cid, [delta(v, seq=seq, lon=2.3 + seq / 1000) for v in range(1, 6)])
            await asyncio.sleep(0.03)
        assert await frames_for(ws, 0.6) == []

        await ws.send(orjson.dumps({"type": "ack"}).decode())
        frames = await frames_for(ws, 0.5)
        assert len(frames) == 1  # one frame holding the latest state of everyone
        got = latest(frames)
        assert set(got) == {1, 2, 3, 4, 5} and all(st["seq"] == 20 for st in got.values())

        # and again: nothing until this frame is acknowledged
        await publish(redis, cid, [delta(9, seq=1)])
        assert await frames_for(ws, 0.4) == []
        await ws.send(orjson.dumps({"type": "ack"}).decode())
        assert 9 in latest(await frames_for(ws, 0.5))


async def test_viewer_without_flow_control_gets_frames_unasked(live_server, redis, campaign, admin):
    ws, _ = await snapshot(live_server.url, admin["token"], campaign["slug"])
    async with ws:
        await publish(redis, campaign["id"], [delta(3)])
        assert 3 in latest(await frames_for(ws, 0.5))
