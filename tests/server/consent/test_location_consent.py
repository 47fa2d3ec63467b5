"""Consent to location sharing on the server: no shift without it, withdrawing ends the open
shift (and its live position), HQ sees who agreed to which version."""

from __future__ import annotations

import orjson

from server.consent.texts import current_version
from server.redis import volunteer_state_key
from tests.conftest import add_user, bearer


async def test_consent_gates_shifts_and_withdrawal_ends_them(client, pool, campaign, redis_url):
    import redis.asyncio as aioredis

    slug = campaign["slug"]
    ada, hq = await add_user(pool, slug, "volunteer", "Ada"), await add_user(pool, slug, "coordinator", "HQ")
    h = bearer(ada["token"])
    got = (await client.get(f"/api/campaigns/{slug}/consent", headers=h)).json()
    assert got["version"] == current_version("location") and not got["agreed"]
    assert "position" in got["fr"] and "location" in got["en"]
    r = await client.post(f"/api/campaigns/{slug}/shifts/start", headers=h)
    assert r.status_code == 409 and r.json()["code"] == "consent_required"

    bad = await client.post(f"/api/campaigns/{slug}/consent", json={"version": "location-1999"}, headers=h)
    assert bad.status_code == 422 and "not the current text" in bad.json()["detail"]
    r = await client.post(f"/api/campaigns/{slug}/consent", json={"version": got["version"]}, headers=h)
    assert r.status_code == 201 and r.json()["agreed"]
    again = await client.post(f"/api/campaigns/{slug}/consent", json={"version": got["version"]}, headers=h)
    assert again.status_code == 200
    shift = (await client.post(f"/api/campaigns/{slug}/shifts/start", headers=h)).json()["shift"]

    listed = (await client.get(f"/api/campaigns/{slug}/consents", headers=bearer(hq["token"]))).json()
    assert [(m["name"], m["version"], m["current"]) for m in listed] == [
        ("Ada", got["version"], True),
        ("HQ", None, False),
    ]
    assert (await client.get(f"/api/campaigns/{slug}/consents", headers=h)).status_code == 403

    r_ = aioredis.from_url(redis_url)
    async with pool.acquire() as c:
        vid = await c.fetchval("SELECT id FROM users WHERE login = $1", ada["login"])
    await r_.hset(volunteer_state_key(campaign["id"]), str(vid), orjson.dumps({"v": vid, "lon": 2.35, "lat": 48.85}))
    out = (await client.delete(f"/api/campaigns/{slug}/consent", headers=h)).json()
    assert out == {"withdrawn": True, "ended_shift": shift["id"]}
    assert (await client.get(f"/api/campaigns/{slug}/shifts/current", headers=h)).json() == {"shift": None}
    shifts = (await client.get(f"/api/campaigns/{slug}/shifts", headers=bearer(hq["token"]))).json()["shifts"]
    assert [(s["id"], s["ended_by"]) for s in shifts] == [(shift["id"], "consent")]  # a withdrawal, told apart
    assert not await r_.hexists(volunteer_state_key(campaign["id"]), str(vid))  # sharing stopped on HQ's map
    await r_.aclose()
    assert (await client.post(f"/api/campaigns/{slug}/shifts/start", headers=h)).status_code == 409
    assert (await client.delete(f"/api/campaigns/{slug}/consent", headers=h)).json() == {
        "withdrawn": False,
        "ended_shift": None,
    }
    listed = (await client.get(f"/api/campaigns/{slug}/consents", headers=bearer(hq["token"]))).json()
    assert listed[0]["withdrawn_at"] is not None and not listed[0]["current"]
