"""Tracking only during a shift: pings outside an open shift are refused and never stored, over
the websocket and from the HTTP apps; starting and ending a shift is told to HQ's live channel."""

from __future__ import annotations

import asyncio
import time

import httpx
import orjson
import pytest
import redis.asyncio as aioredis

from server.redis import volunteer_state_key
from tests.conftest import add_user, agree_to_location
from tests.ingest.conftest import (
    ServerThread,
    connected,
    make_settings,
    ping,
    ping_frame,
    pings_frame,
    recv_until,
    stored,
)
from tests.helpers.live import next_delta, subscribed


async def acked_until(ws, seqs: set[int]) -> None:
    got: set[int] = set()
    while not seqs <= got:
        got |= set((await recv_until(ws, "ack"))["seqs"])


async def shift_rows(pool, uid: int) -> list:
    async with pool.acquire() as c:
        return await c.fetch("SELECT id, ended_at, ended_by FROM shifts WHERE user_id = $1 ORDER BY id", uid)


async def test_off_shift_pings_are_refused_and_not_stored(ingest, pool, off_duty):
    async with connected(ingest.ws_url, off_duty["token"], shift=False) as (ws, ready):
        assert ready["shift"] is None
        await ws.send(pings_frame([ping(1), ping(2)]))
        errors = [await recv_until(ws, "error") for _ in range(2)]
    assert {(e["seq"], e["code"]) for e in errors} == {(1, "off_shift"), (2, "off_shift")}
    assert await stored(pool, off_duty["id"]) == []


async def test_no_shift_starts_from_the_websocket_without_consent(ingest, pool, campaign):
    """The shift-start frame obeys the same rule as POST /shifts/start: an error frame
    `consent_required`, no shift opened, pings still refused; after agreeing, the start works."""
    vol = await add_user(pool, campaign["slug"], "volunteer", "Not yet agreed")
    async with pool.acquire() as c:
        uid = await c.fetchval("SELECT id FROM users WHERE login = $1", vol["login"])
    async with connected(ingest.ws_url, vol["token"], shift=False) as (ws, ready):
        assert ready["shift"] is None
        await ws.send('{"type":"shift","action":"start"}')
        refused = await recv_until(ws, "error")
        assert (refused["seq"], refused["code"]) == (None, "consent_required")
        assert "location sharing" in refused["reason"]
        await ws.send(ping_frame(1))
        assert (await recv_until(ws, "error"))["code"] == "off_shift"
        assert await shift_rows(pool, uid) == []
        await agree_to_location(pool, campaign["id"], uid)
        await ws.send('{"type":"shift","action":"start"}')  # the same connection, once agreed
        assert (await recv_until(ws, "shift"))["state"] == "on"
    assert len(await shift_rows(pool, uid)) == 1


async def test_start_shift_then_pings_are_taken(ingest, pool, off_duty, redis_url):
    uid = off_duty["id"]
    async with (
        subscribed(redis_url, off_duty["campaign_id"]) as pubsub,
        connected(ingest.ws_url, off_duty["token"], shift=False) as (ws, _),
    ):
        await ws.send('{"type":"shift","action":"start"}')
        on = await recv_until(ws, "shift")
        assert on["state"] == "on" and on["created"] is True
        event = await next_delta(pubsub, kind="shift")
        assert (event["v"], event["on"], event["shift"]) == (uid, True, on["shift"]["id"])
        await ws.send('{"type":"shift","action":"start"}')  # again: the same shift, not a second one
        again = await recv_until(ws, "shift")
        assert again["shift"] == on["shift"] and again["created"] is False
        await ws.send(ping_frame(1))
        await acked_until(ws, {1})
    assert [r["seq"] for r in await stored(pool, uid)] == [1]
    rows = await shift_rows(pool, uid)
    assert len(rows) == 1 and rows[0]["ended_at"] is None
    # a reconnection is told which shift is open
    async with connected(ingest.ws_url, off_duty["token"], shift=False) as (_, ready):
        assert ready["shift"] == on["shift"]


async def test_fixes_from_before_the_shift_are_refused(ingest, pool, volunteer):
    """An app that queued fixes all night must not upload the night with the morning's shift."""
    now = time.time()
    async with connected(ingest.ws_url, volunteer["token"]) as (ws, _):
        await ws.send(pings_frame([ping(1, t=now - 3600), ping(2, t=now - 5)]))
        err = await recv_until(ws, "error")
        await acked_until(ws, {2})
    assert (err["seq"], err["code"]) == (1, "off_shift")
    assert [r["seq"] for r in await stored(pool, volunteer["id"])] == [2]


async def test_end_shift_stores_what_came_before_then_refuses(ingest, pool, volunteer, redis_url):
    cid, uid = volunteer["campaign_id"], volunteer["id"]
    r = aioredis.from_url(redis_url)
    try:
        async with subscribed(redis_url, cid) as pubsub, connected(ingest.ws_url, volunteer["token"]) as (ws, _):
            t = time.time()
            await ws.send(ping_frame(1, t=t))
            await ws.send('{"type":"shift","action":"end"}')
            off = await recv_until(ws, "shift")
            assert off["state"] == "off" and off["shift"]["id"] == volunteer["shift"]
            assert off["ended_by"] == "volunteer"
            # taken on shift: stored before the shift closed, not merely queued
            assert [row["seq"] for row in await stored(pool, uid)] == [1]
            # the ping before the end went out live first, then the end, which took them off the map
            assert (await next_delta(pubsub, kind=None))["seq"] == 1
            ended = await next_delta(pubsub, kind=None)
            assert (ended["type"], ended["v"], ended["on"], ended["by"]) == ("shift", uid, False, "volunteer")
            assert await r.hget(volunteer_state_key(cid), str(uid)) is None
            await ws.send(ping_frame(2, t=t + 1))
            err = await recv_until(ws, "error")
            assert (err["seq"], err["code"]) == (2, "off_shift")
            await ws.send('{"type":"shift","action":"end"}')  # no shift open: answered, not an error
            assert (await recv_until(ws, "shift")) == {"type": "shift", "state": "off", "shift": None, "ended_by": None}
        assert [row["seq"] for row in await stored(pool, uid)] == [1]
        assert [row["ended_by"] for row in await shift_rows(pool, uid)] == ["volunteer"]
    finally:
        await r.aclose()


async def test_bad_shift_frame_is_malformed(ingest, volunteer):
    async with connected(ingest.ws_url, volunteer["token"]) as (ws, _):
        await ws.send(orjson.dumps({"type": "shift", "action": "lunch"}).decode())
        err = await recv_until(ws, "error")
    assert (err["seq"], err["code"]) == (None, "malformed")


async def test_expired_shift_counts_as_ended(ingest, pool, volunteer):
    """A shift left open past shift_max_hours (a phone that died) no longer lets pings in; the
    next start closes it as a timeout and opens a new one."""
    async with pool.acquire() as c:
        await c.execute("UPDATE shifts SET started_at = now() - interval '13 hours' WHERE id = $1", volunteer["shift"])
    async with connected(ingest.ws_url, volunteer["token"], shift=False) as (ws, ready):
        assert ready["shift"] is None
        await ws.send(ping_frame(1))
        assert (await recv_until(ws, "error"))["code"] == "off_shift"
        await ws.send('{"type":"shift","action":"start"}')
        on = await recv_until(ws, "shift")
        assert on["created"] is True and on["shift"]["id"] != volunteer["shift"]
    rows = await shift_rows(pool, volunteer["id"])
    assert [r["ended_by"] for r in rows] == ["timeout", None]


async def test_hq_ending_a_shift_stops_a_live_connection(settings, pool, volunteer):
    """Ended elsewhere (HQ, the HTTP API): ingest's background refresh stops the pings."""
    server = await asyncio.to_thread(ServerThread(make_settings(settings, ingest_refresh_s=0.2)).start)
    try:
        async with connected(server.ws_url, volunteer["token"]) as (ws, _):
            await ws.send(ping_frame(1))
            await acked_until(ws, {1})
            async with pool.acquire() as c:
                await c.execute("UPDATE shifts SET ended_at = now(), ended_by = 'hq' WHERE id = $1", volunteer["shift"])
            deadline = time.monotonic() + 5
            seq, refused = 1, None
            while refused is None and time.monotonic() < deadline:
                seq += 1
                await ws.send(ping_frame(seq))
                frame = orjson.loads(await asyncio.wait_for(ws.recv(), 5))
                while frame["type"] not in ("ack", "error"):
                    frame = orjson.loads(await asyncio.wait_for(ws.recv(), 5))
                if frame["type"] == "error":
                    refused = frame
                await asyncio.sleep(0.05)
        assert refused is not None and refused["code"] == "off_shift"
    finally:
        await asyncio.to_thread(server.stop)
    stored_seqs = [r["seq"] for r in await stored(pool, volunteer["id"])]
    assert refused["seq"] not in stored_seqs and stored_seqs == list(range(1, refused["seq"]))


# --- HTTP apps ----------------------------------------------------------------------------------
@pytest.fixture
async def http(ingest):
    async with httpx.AsyncClient(base_url=ingest.http_url, timeout=20) as client:
        yield client


def owntracks(tst: int) -> dict:
    return {"_type": "location", "lat": 48.8606, "lon": 2.3376, "tst": tst, "acc": 12}


async def test_http_apps_off_shift_answered_200_not_stored(http, pool, off_duty):
    """200, so the app does not resend the same off-shift fix forever, but flagged and not stored."""
    now = int(time.time())
    r = await http.post("/api/owntracks", json=owntracks(now - 5), auth=(off_duty["login"], off_duty["device_token"]))
    assert r.status_code == 200 and r.json() == [] and r.headers["x-quadriller-not-stored"] == "off_shift"
    q = {"id": off_duty["device_token"], "lat": "48.85", "lon": "2.35", "timestamp": str(now - 4)}
    r = await http.get("/api/osmand", params=q)
    assert r.status_code == 200 and r.headers["x-quadriller-not-stored"] == "off_shift"
    r = await http.post(
        "/api/osmand",
        json={
            "location": {"timestamp": now - 3, "coords": {"latitude": 48.85, "longitude": 2.35, "accuracy": 5}},
            "device_id": off_duty["device_token"],
        },
    )
    assert r.status_code == 200 and r.headers["x-quadriller-not-stored"] == "off_shift"
    assert await stored(pool, off_duty["id"]) == []


async def test_http_apps_on_shift_stored(http, pool, volunteer):
    now = int(time.time())
    r = await http.post("/api/owntracks", json=owntracks(now - 5), auth=(volunteer["login"], volunteer["device_token"]))
    assert r.status_code == 200 and "x-quadriller-not-stored" not in r.headers
    assert len(await stored(pool, volunteer["id"], "owntracks")) == 1
