"""A shift ended by HQ reaches the ingest at once (the duty channel, ingest/relay.py): a ping
sent 50 ms later is refused, never stored nor published, over the websocket and the HTTP apps;
the volunteer's open websocket is told with a pushed `shift` frame; their live state is gone."""

from __future__ import annotations

import asyncio
import time

import httpx
import orjson
import pytest
import redis.asyncio as aioredis

from server.events import volunteer_state_key
from tests.conftest import add_user, bearer
from tests.ingest.conftest import connected, ping_frame, recv_until, stored
from tests.helpers.live import subscribed


@pytest.fixture
async def hq_token(pool, campaign) -> str:
    return (await add_user(pool, campaign["slug"], "coordinator", "HQ"))["token"]


async def hq_ends(client, campaign, token: str, shift_id: int) -> None:
    r = await client.post(f"/api/campaigns/{campaign['slug']}/shifts/{shift_id}/end", headers=bearer(token))
    assert r.status_code == 200 and r.json()["shift"]["ended_by"] == "hq", r.text


async def pings_published(pubsub, uid: int, seconds: float) -> list[dict]:
    """Every `ping` event of volunteer `uid` on the live channel during `seconds`."""
    out, deadline = [], time.monotonic() + seconds
    while time.monotonic() < deadline:
        msg = await pubsub.get_message(ignore_subscribe_messages=True, timeout=0.1)
        if msg:
            event = orjson.loads(msg["data"])
            if event.get("type") == "ping" and event.get("v") == uid:
                out.append(event)
    return out


async def live_state(redis_url: str, campaign_id: int, uid: int) -> bytes | None:
    r = aioredis.from_url(redis_url)
    try:
        return await r.hget(volunteer_state_key(campaign_id), str(uid))
    finally:
        await r.aclose()


async def test_hq_end_stops_the_websocket_within_50_ms(ingest, client, pool, campaign, volunteer, hq_token, redis_url):
    cid, uid = volunteer["campaign_id"], volunteer["id"]
    async with connected(ingest.ws_url, volunteer["token"]) as (ws, ready):
        await ws.send(ping_frame(1))
        assert (await recv_until(ws, "ack"))["seqs"] == [1]
        async with subscribed(redis_url, cid) as pubsub:
            await hq_ends(client, campaign, hq_token, ready["shift"]["id"])
            await asyncio.sleep(0.05)
            await ws.send(ping_frame(2))
            pushed = await recv_until(ws, "shift")
            refused = await recv_until(ws, "error")
            assert await pings_published(pubsub, uid, 0.5) == []
    assert pushed == {
        "type": "shift",
        "state": "off",
        "ended_by": "hq",
        "shift": {"id": ready["shift"]["id"], "since": ready["shift"]["since"]},
    }
    assert (refused["seq"], refused["code"]) == (2, "off_shift")
    assert [r["seq"] for r in await stored(pool, uid)] == [1]
    assert await live_state(redis_url, cid, uid) is None


async def test_hq_end_stops_the_http_apps_within_50_ms(ingest, client, pool, campaign, volunteer, hq_token, redis_url):
    cid, uid = volunteer["campaign_id"], volunteer["id"]
    now = int(time.time())
    owntracks = {"_type": "location", "lat": 48.8606, "lon": 2.3376, "acc": 12}
    auth = (volunteer["login"], volunteer["device_token"])
    async with httpx.AsyncClient(base_url=ingest.http_url, timeout=20) as http, subscribed(redis_url, cid) as pubsub:
        r = await http.post("/api/owntracks", json={**owntracks, "tst": now - 3}, auth=auth)
        assert r.status_code == 200 and "x-quadriller-not-stored" not in r.headers
        await hq_ends(client, campaign, hq_token, volunteer["shift"])
        await asyncio.sleep(0.05)
        r = await http.post("/api/owntracks", json={**owntracks, "tst": now - 2}, auth=auth)
        assert r.status_code == 200 and r.headers["x-quadriller-not-stored"] == "off_shift"
        q = {"id": volunteer["device_token"], "lat": "48.85", "lon": "2.35", "timestamp": str(now - 1)}
        r = await http.get("/api/osmand", params=q)
        assert r.status_code == 200 and r.headers["x-quadriller-not-stored"] == "off_shift"
        published = await pings_published(pubsub, uid, 0.5)
    assert [e["t"] for e in published if e["t"] > now - 3] == []  # the first one was on shift
    assert [int(r["t"]) for r in await stored(pool, uid)] == [now - 3]
    assert await live_state(redis_url, cid, uid) is None
