"""A team that finished its turf (every door has an outcome, server/doors) is free at the next
refresh: suggested its next target with "finished turf N of CODE" in the explanation, and HQ's
feed hears "turf finished" once. On the real Paris addresses."""

from __future__ import annotations

import time
import uuid

import orjson
import pytest
import redis.asyncio as aioredis

from server.live.frames import Activity, decode
from server.redis import volunteer_state_key
from tests.conftest import add_user, bearer
from tests.helpers.doors import station_doors
from tests.helpers.live import next_delta, subscribed
from tests.helpers.teams import make_team, volunteers


@pytest.fixture
async def hq(pool, paris):
    token = bearer((await add_user(pool, paris["slug"], "coordinator", "Finisher"))["token"])
    yield token
    async with pool.acquire() as c:  # leave the shared campaign's turfs as they were
        await c.execute("UPDATE assignments SET turf_id = NULL WHERE campaign_id = $1", paris["id"])
        await c.execute("DELETE FROM turfs WHERE campaign_id = $1", paris["id"])


async def _mine(client, slug: str, hq, team_id: int) -> dict:
    body = (await client.get(f"/api/campaigns/{slug}/dispatch/suggestions", headers=hq)).json()
    return next(s for s in body["suggestions"] if s["team"] == team_id)


async def test_a_team_that_finished_its_turf_is_suggested_its_next_target(client, pool, paris, hq, redis_url):
    slug = paris["slug"]
    (st,) = await station_doors(pool, paris["id"])
    cut = await client.post(f"/api/campaigns/{slug}/stations/{st['code']}/turfs", json={"doors": 10}, headers=hq)
    assert cut.status_code == 201, cut.text
    turf = min(cut.json()["turfs"], key=lambda t: t["doors"])
    route = (await client.get(f"/api/campaigns/{slug}/turfs/{turf['id']}/route", headers=hq)).json()
    doors = [s["id"] for s in route["stops"]]
    vols = await volunteers(pool, slug, 1, "F")
    team = await make_team(client, slug, hq, f"F {vols[0]['login']}", vols)
    sent = await client.post(
        f"/api/campaigns/{slug}/dispatch/assignments",
        json={"team": team["id"], "station": st["code"], "turf": turf["id"]},
        headers=hq,
    )
    assert sent.status_code == 201, sent.text
    # the team stands at its station, live
    r = aioredis.from_url(redis_url)
    now = time.time()
    stop = (await client.get(f"/api/campaigns/{slug}/turfs/{turf['id']}/route", headers=hq)).json()["stops"][0]
    lon, lat = stop["lon"], stop["lat"]
    state = {"type": "ping", "v": vols[0]["id"], "seq": 1, "t": now, "rt": int(now * 1000), "lon": lon, "lat": lat}
    await r.hset(volunteer_state_key(paris["id"]), str(vols[0]["id"]), orjson.dumps(state))
    await r.aclose()

    walking = await _mine(client, slug, hq, team["id"])
    assert "finished" not in walking["summary"]
    assert f"the team is assigned to {st['code']} now" in walking["why"]

    h = bearer(vols[0]["token"])
    url = f"/api/campaigns/{slug}/doors/outcomes"
    async with subscribed(redis_url, paris["id"]) as feed:
        for door in doors[:-1]:
            body = {"address": door, "outcome": "not_home", "client_id": str(uuid.uuid4())}
            assert (await client.post(url, json=body, headers=h)).status_code == 201
        assert "finished" not in (await _mine(client, slug, hq, team["id"]))["summary"]  # one door to go
        with pytest.raises(TimeoutError):
            await next_delta(feed, kind="turf_finished", timeout=0.3)
        last = {"address": doors[-1], "outcome": "opened", "client_id": str(uuid.uuid4())}
        assert (await client.post(url, json=last, headers=h)).status_code == 201
        event = await next_delta(feed, kind="turf_finished", timeout=3.0)
        assert (event["team"], event["station"], event["turf"]) == (team["id"], st["code"], turf["number"])
        # HQ's live hub passes it to the activity feed
        assert isinstance(decode(orjson.dumps(event))[0][1], Activity)
        # a door knocked again later does not finish the turf twice
        again = {"address": doors[0], "outcome": "opened", "client_id": str(uuid.uuid4())}
        assert (await client.post(url, json=again, headers=h)).status_code == 201
        with pytest.raises(TimeoutError):
            await next_delta(feed, kind="turf_finished", timeout=0.5)

    done = await _mine(client, slug, hq, team["id"])
    finished = f"finished turf {turf['number']} of {st['code']}"
    assert done["summary"].startswith(f"{team['name']}: {finished} → {done['station']}: rank ")
    assert done["why"][0].startswith(finished)
    assert f"the team is assigned to {st['code']} now" not in done["why"]
