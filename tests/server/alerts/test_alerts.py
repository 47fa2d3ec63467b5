"""Field alerts against the real PostGIS and Redis: each kind fires past its threshold and clears
when its cause ends; SOS reaches HQ's feed once, however often the phone's outbox sends it, and
stays open until a person acknowledges it.

Live states are written into Redis exactly as ingest writes them (ingest/pipeline.py `_delta`:
zone, bat, rt…); the evaluator is called with an explicit clock instead of waiting for its timer."""

from __future__ import annotations

import time

import orjson
import pytest
import redis.asyncio as aioredis

from server.alerts.evaluator import evaluate_campaign
from server.alerts.rules import Tracker
from server.redis import volunteer_state_key
from tests.conftest import add_user, bearer, start_shift
from tests.helpers.live import next_delta, subscribed

PARIS_11 = (2.3795, 48.8590)  # a point in the 11th arrondissement (Paris data: 11-12's area)


@pytest.fixture
async def field(pool, campaign, redis_url):
    hq = await add_user(pool, campaign["slug"], "coordinator", "Watcher")
    vol = await add_user(pool, campaign["slug"], "volunteer", "Walker")
    async with pool.acquire() as c:
        vid = await c.fetchval("SELECT id FROM users WHERE login = $1", vol["login"])
    await start_shift(pool, campaign["id"], vid)
    r = aioredis.from_url(redis_url)
    yield {"campaign": campaign, "hq": bearer(hq["token"]), "vol": bearer(vol["token"]), "vid": vid, "redis": r}
    await r.aclose()


async def put_state(f, now: float, lon=PARIS_11[0], lat=PARIS_11[1], **extra) -> None:
    state = {
        "type": "ping",
        "v": f["vid"],
        "team": None,
        "seq": 1,
        "t": now,
        "rt": int(now * 1000),
        "lon": lon,
        "lat": lat,
        "acc": 8.0,
        "hdg": None,
        "spd": None,
        "bat": None,
        "zone": None,
        "ev": None,
        **extra,
    }
    await f["redis"].hset(volunteer_state_key(f["campaign"]["id"]), str(f["vid"]), orjson.dumps(state))


async def evaluate(pool, f, tracker, now):
    async with pool.acquire() as c:
        raised, cleared = await evaluate_campaign(c, f["redis"], f["campaign"]["id"], tracker, 12.0, now)
    return [a.kind for a in raised], [a.kind for a in cleared]


async def test_each_alert_fires_past_its_threshold_and_clears_when_its_cause_ends(pool, field):
    f, tr = field, Tracker()
    t0 = time.time()
    await put_state(f, t0)
    assert await evaluate(pool, f, tr, t0) == ([], [])

    # low battery (OwnTracks / Traccar batt, as ingest keeps it in the live state): 8 % < 15 %
    await put_state(f, t0, bat=0.08)
    assert await evaluate(pool, f, tr, t0) == (["low_battery"], [])
    assert await evaluate(pool, f, tr, t0 + 1) == ([], [])  # raised once, not again
    await put_state(f, t0 + 2, bat=0.6)
    assert await evaluate(pool, f, tr, t0 + 2) == ([], ["low_battery"])

    # out of the assigned zone: only past 10 minutes out
    await put_state(f, t0 + 60, zone="out")
    assert await evaluate(pool, f, tr, t0 + 60) == ([], [])
    await put_state(f, t0 + 60 + 9 * 60, lon=PARIS_11[0] + 0.003, zone="out")  # moving: not idle
    assert await evaluate(pool, f, tr, t0 + 60 + 9 * 60) == ([], [])
    await put_state(f, t0 + 60 + 11 * 60, lon=PARIS_11[0] + 0.006, zone="out")
    assert await evaluate(pool, f, tr, t0 + 60 + 11 * 60) == (["out_of_zone"], [])
    t1 = t0 + 60 + 12 * 60
    await put_state(f, t1, lon=PARIS_11[0] + 0.009, zone="in")
    assert await evaluate(pool, f, tr, t1) == ([], ["out_of_zone"])

    # idle: within 50 m for more than 20 minutes, then moving again
    await put_state(f, t1 + 19 * 60, lon=PARIS_11[0] + 0.0092, zone="in")  # ~15 m away: still
    assert await evaluate(pool, f, tr, t1 + 19 * 60) == ([], [])
    await put_state(f, t1 + 21 * 60, lon=PARIS_11[0] + 0.009, zone="in")
    assert await evaluate(pool, f, tr, t1 + 21 * 60) == (["idle"], [])
    t2 = t1 + 22 * 60
    await put_state(f, t2, lon=PARIS_11[0] + 0.012, zone="in")  # ~220 m on
    assert await evaluate(pool, f, tr, t2) == ([], ["idle"])

    # stale: no ping for more than 10 minutes, then a ping again
    assert await evaluate(pool, f, tr, t2 + 11 * 60) == (["stale"], [])
    await put_state(f, t2 + 12 * 60, lon=PARIS_11[0] + 0.015)
    assert await evaluate(pool, f, tr, t2 + 12 * 60) == ([], ["stale"])


async def test_thresholds_are_campaign_settings(client, pool, field):
    f, tr = field, Tracker()
    url = f"/api/campaigns/{f['campaign']['slug']}/alerts/settings"
    assert (await client.get(url, headers=f["hq"])).json()["low_battery"] == 0.15
    r = await client.put(url, json={"low_battery": 0.5, "stale_min": 2}, headers=f["hq"])
    assert r.status_code == 200 and r.json()["stale_min"] == 2
    assert (await client.put(url, json={"low_battery": 3}, headers=f["hq"])).status_code == 422
    assert (await client.get(url, headers=f["vol"])).status_code == 403
    t0 = time.time()
    await put_state(f, t0, bat=0.4)
    assert await evaluate(pool, f, tr, t0) == (["low_battery"], [])
    assert await evaluate(pool, f, tr, t0 + 3 * 60) == (["stale"], [])
    listed = (await client.get(f"/api/campaigns/{f['campaign']['slug']}/alerts", headers=f["hq"])).json()
    assert sorted(a["kind"] for a in listed) == ["low_battery", "stale"]
    assert all(a["volunteer_name"] == "Walker" and a["acked_at"] is None for a in listed)
    acked = await client.post(f"/api/campaigns/{f['campaign']['slug']}/alerts/{listed[0]['id']}/ack", headers=f["hq"])
    assert acked.status_code == 200 and acked.json()["acked_at"] is not None
    assert acked.json()["cleared_at"] is None  # acknowledged, but the battery is still low


async def test_sos_reaches_hq_once_and_stays_until_acknowledged(client, pool, field, redis_url):
    f = field
    slug = f["campaign"]["slug"]
    body = {"id": "press-0001-abcdef", "lon": PARIS_11[0], "lat": PARIS_11[1]}
    async with subscribed(redis_url, f["campaign"]["id"]) as pubsub:
        first = await client.post(f"/api/campaigns/{slug}/sos", json=body, headers=f["vol"])
        assert first.status_code == 201 and first.json()["created"] and first.json()["notified"]
        event = await next_delta(pubsub, kind="alert")
        assert event["what"] == "raised" and event["alert"]["kind"] == "sos"
        assert (event["alert"]["lon"], event["alert"]["lat"]) == PARIS_11
        # the outbox sends it again (no answer seen): stored once, not announced again
        again = await client.post(f"/api/campaigns/{slug}/sos", json=body, headers=f["vol"])
        assert again.status_code == 200 and not again.json()["created"]
        assert again.json()["alert"]["id"] == first.json()["alert"]["id"]
        with pytest.raises(TimeoutError):
            await next_delta(pubsub, kind="alert", timeout=0.5)
        # the evaluator never clears an SOS: only a person does
        async with pool.acquire() as c:
            await evaluate_campaign(c, f["redis"], f["campaign"]["id"], Tracker(), 12.0)
        open_ = (await client.get(f"/api/campaigns/{slug}/alerts", headers=f["hq"])).json()
        assert [a["kind"] for a in open_].count("sos") == 1
        assert (
            await client.post(f"/api/campaigns/{slug}/alerts/{first.json()['alert']['id']}/ack", headers=f["vol"])
        ).status_code == 403
        acked = await client.post(f"/api/campaigns/{slug}/alerts/{first.json()['alert']['id']}/ack", headers=f["hq"])
        assert acked.status_code == 200
        assert acked.json()["acked_by_name"] == "Watcher" and acked.json()["cleared_at"] is not None
        assert (await next_delta(pubsub, kind="alert"))["what"] == "acked"
    assert "sos" not in [a["kind"] for a in (await client.get(f"/api/campaigns/{slug}/alerts", headers=f["hq"])).json()]
    bad = await client.post(f"/api/campaigns/{slug}/sos", json={"id": "x", "lat": 200}, headers=f["vol"])
    assert bad.status_code == 422
    assert (await client.post(f"/api/campaigns/{slug}/alerts/999999999/ack", headers=f["hq"])).status_code == 404
