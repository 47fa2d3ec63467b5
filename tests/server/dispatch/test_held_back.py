"""A coordinator's reject of (team -> station) keeps that pair out of the suggestions for the
campaign's `reject_hold_min`, while the team is still suggested other stations."""

from __future__ import annotations

import time

import orjson
import pytest
import redis.asyncio as aioredis

from server.redis import volunteer_state_key
from tests.conftest import add_user, bearer
from tests.helpers.teams import make_team, volunteers


@pytest.fixture
async def hq(pool, paris):
    return bearer((await add_user(pool, paris["slug"], "coordinator", "Holder"))["token"])


async def _suggested(client, slug: str, hq, team_id: int) -> dict:
    body = (await client.get(f"/api/campaigns/{slug}/dispatch/suggestions", headers=hq)).json()
    return next(s for s in body["suggestions"] if s["team"] == team_id)


async def test_a_rejected_suggestion_is_held_back_for_the_setting_then_suggested_again(
    client, pool, paris, hq, redis_url
):
    slug, base = paris["slug"], f"/api/campaigns/{paris['slug']}/dispatch"
    settings = (await client.get(f"{base}/settings", headers=hq)).json()
    assert settings["reject_hold_min"] == 30  # the default
    vols = await volunteers(pool, slug, 1, "H")
    team = await make_team(client, slug, hq, f"H {vols[0]['login']}", vols)
    # the team stands in a real station (the 100th by code): a live state as ingest writes it
    async with pool.acquire() as c:
        lon, lat = await c.fetchrow(
            "SELECT ST_X(ST_PointOnSurface(geom)), ST_Y(ST_PointOnSurface(geom)) FROM areas "
            "WHERE campaign_id = $1 AND level = 'polling_station' ORDER BY code OFFSET 100 LIMIT 1",
            paris["id"],
        )
    r = aioredis.from_url(redis_url)
    now = time.time()
    state = {"type": "ping", "v": vols[0]["id"], "seq": 1, "t": now, "rt": int(now * 1000), "lon": lon, "lat": lat}
    await r.hset(volunteer_state_key(paris["id"]), str(vols[0]["id"]), orjson.dumps(state))
    await r.aclose()

    first = await _suggested(client, slug, hq, team["id"])
    rejected = await client.post(
        f"{base}/decisions",
        json={"team": team["id"], "suggested": first["station"], "decision": "rejected", "suggestion": first},
        headers=hq,
    )
    assert rejected.status_code == 201, rejected.text
    # the next refreshes: another station for this team, never the rejected one
    for _ in range(2):
        other = await _suggested(client, slug, hq, team["id"])
        assert other["station"] != first["station"] and other["distance_m"] is not None

    # once the hold is over (the rejection 31 minutes old), the pair may come back
    async with pool.acquire() as c:
        await c.execute(
            "UPDATE dispatch_decisions SET decided_at = now() - interval '31 minutes' WHERE team_id = $1", team["id"]
        )
    assert (await _suggested(client, slug, hq, team["id"]))["station"] == first["station"]

    # a hold of 0 minutes holds nothing back; the setting is validated
    assert (
        await client.put(f"{base}/settings", json={**settings, "reject_hold_min": -1}, headers=hq)
    ).status_code == 422
    r2 = await client.put(f"{base}/settings", json={**settings, "reject_hold_min": 45}, headers=hq)
    assert r2.status_code == 200 and r2.json()["reject_hold_min"] == 45
    await client.put(f"{base}/settings", json=settings, headers=hq)  # as it was, for the other tests
