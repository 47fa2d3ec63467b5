"""Teams, dispatch suggestions and assignments, on the real Paris areas and results, with a real
ingest process pushing assignments to the team's phones."""

from __future__ import annotations

import time
from collections import Counter

import orjson
import pytest
import redis.asyncio as aioredis

from server.redis import volunteer_state_key
from tests.conftest import add_user, bearer
from tests.ingest.conftest import connected, ingest, ping_frame, recv_until, user_id  # noqa: F401 (fixture)
from tests.helpers.live import next_delta, subscribed
from tests.helpers.schemas import validate
from tests.helpers.teams import make_team, volunteers


async def place(redis_url: str, campaign_id: int, vid: int, lon: float, lat: float) -> None:
    """A live state for the volunteer, as ingest writes it."""
    r = aioredis.from_url(redis_url)
    now = time.time()
    await r.hset(
        volunteer_state_key(campaign_id),
        str(vid),
        orjson.dumps(
            {"type": "ping", "v": vid, "team": None, "seq": 1, "t": now, "rt": int(now * 1000), "lon": lon, "lat": lat}
        ),
    )
    await r.aclose()


@pytest.fixture
async def hq(pool, paris):
    return bearer((await add_user(pool, paris["slug"], "coordinator", "Dispatcher"))["token"])


async def top_values(pool, campaign_id: int, client, slug: str, hq) -> list:
    """The stations dispatch values most now, as the suggestions endpoint sees them."""
    from server.dispatch.values import station_values

    teams = (await client.get(f"/api/campaigns/{slug}/teams", headers=hq)).json()
    taken = Counter(t["assignment"]["station"] for t in teams if t["assignment"])
    async with pool.acquire() as c:
        values = await station_values(c, campaign_id, dict(taken), 0.9)
    return sorted((v for v in values if v.taken == 0), key=lambda v: -v.value)


async def test_suggestions_match_teams_to_the_best_stations_near_them(client, pool, paris, hq, redis_url):
    slug = paris["slug"]
    s1, s2 = (await top_values(pool, paris["id"], client, slug, hq))[:2]
    a, b, c = (
        await volunteers(pool, slug, 2, "A"),
        await volunteers(pool, slug, 1, "B"),
        await volunteers(pool, slug, 1, "C"),
    )
    # C first, so that it has the lowest id: on equal value the lower id would win the tie, and
    # a team with nobody out must still not take the station from the team standing at it.
    tc = await make_team(client, slug, hq, f"C {c[0]['login']}", c)
    ta, tb = (
        await make_team(client, slug, hq, f"A {a[0]['login']}", a),
        await make_team(client, slug, hq, f"B {b[0]['login']}", b),
    )
    # team A stands at the best station, team B at the second; team C has nobody live
    for v in a:
        await place(redis_url, paris["id"], v["id"], s1.lon, s1.lat)
    await place(redis_url, paris["id"], b[0]["id"], s2.lon, s2.lat)

    r = await client.get(f"/api/campaigns/{slug}/dispatch/suggestions", headers=hq)
    assert r.status_code == 200, r.text
    body = r.json()
    mine = {s["team"]: s for s in body["suggestions"] if s["team"] in (ta["id"], tb["id"], tc["id"])}
    assert mine[ta["id"]]["station"] == s1.code and mine[ta["id"]]["distance_m"] == 0
    assert mine[ta["id"]]["live_members"] == 2
    assert mine[tb["id"]]["station"] == s2.code
    # C is matched after the teams out in the street, on the bare score: never to s1 or s2
    assert mine[tc["id"]]["station"] not in (s1.code, s2.code) and mine[tc["id"]]["distance_m"] is None
    live_first = [s["distance_m"] is not None for s in body["suggestions"]]
    assert live_first == sorted(live_first, reverse=True)  # teams with a position are listed first
    assert tc["id"] in body["teams_without_position"]
    assert any("abstainers" in w for w in mine[ta["id"]]["why"])
    assert any("0.0 km" in w for w in mine[ta["id"]]["why"])
    assert mine[ta["id"]]["summary"].startswith(f"{ta['name']} → {s1.code}: rank {s1.rank} of ")
    assert mine[ta["id"]]["summary"].endswith("0 m, 1 min walk")
    assert body["targets"] > 800 and body["rules"]["max_walk_m"] == 3000
    stations = [s["station"] for s in body["suggestions"]]
    assert len(stations) == len(set(stations))  # never two teams to one place


async def test_assignment_reaches_the_teams_phones_at_once(client, pool, paris, hq, ingest, redis_url):
    slug = paris["slug"]
    team_vols = await volunteers(pool, slug, 1, "T")
    other_vols = await volunteers(pool, slug, 1, "O")
    team = await make_team(client, slug, hq, f"T {team_vols[0]['login']}", team_vols)
    await make_team(client, slug, hq, f"O {other_vols[0]['login']}", other_vols)
    station = "11-12"
    async with (
        connected(ingest.ws_url, team_vols[0]["token"]) as (ws, _),
        connected(ingest.ws_url, other_vols[0]["token"]) as (other, _),
        subscribed(redis_url, paris["id"]) as pubsub,
    ):
        sent = time.monotonic()
        r = await client.post(
            f"/api/campaigns/{slug}/dispatch/assignments", json={"team": team["id"], "station": station}, headers=hq
        )
        assert r.status_code == 201, r.text
        assert r.json()["notified"] is True and r.json()["assignment"]["station"] == station
        frame = await recv_until(ws, "assignment", timeout=2.0)
        assert time.monotonic() - sent < 2.0
        assert (frame["team"], frame["station"]) == (team["id"], station)
        assert isinstance(frame["lon"], float) and "name" in frame
        validate("assignment", frame)
        with pytest.raises(TimeoutError):
            await recv_until(other, "assignment", timeout=0.5)
        # ingest knows the new turf at once: a ping inside the station enters it
        await ws.send(ping_frame(1, lon=frame["lon"], lat=frame["lat"]))
        delta = await next_delta(pubsub, v=team_vols[0]["id"])
        assert (delta["ps"], delta["zone"], delta["ev"]) == (station, "in", "enter")

    teams = (await client.get(f"/api/campaigns/{slug}/teams", headers=hq)).json()
    assert next(t for t in teams if t["id"] == team["id"])["assignment"]["station"] == station
    mine = await client.get(f"/api/campaigns/{slug}/dispatch/mine", headers=bearer(team_vols[0]["token"]))
    assert mine.status_code == 200 and mine.json()["assignment"]["station"] == station
    # sending the team elsewhere ends the first assignment
    r = await client.post(
        f"/api/campaigns/{slug}/dispatch/assignments", json={"team": team["id"], "station": "11-13"}, headers=hq
    )
    assert r.status_code == 201
    async with pool.acquire() as c:
        rows = await c.fetch(
            "SELECT ar.code, a.ended_at IS NULL AS active FROM assignments a "
            "JOIN areas ar ON ar.id = a.area_id WHERE a.team_id = $1 ORDER BY a.id",
            team["id"],
        )
    assert [(r["code"], r["active"]) for r in rows] == [("11-12", False), ("11-13", True)]


async def test_dispatch_errors_and_roles(client, pool, paris, campaign, hq):
    slug = paris["slug"]
    vols = await volunteers(pool, slug, 1, "E")
    team = await make_team(client, slug, hq, f"E {vols[0]['login']}", vols)
    url = f"/api/campaigns/{slug}/dispatch/assignments"
    r = await client.post(url, json={"team": team["id"], "station": "99-99"}, headers=hq)
    assert r.status_code == 422 and "99-99" in r.json()["detail"]
    r = await client.post(url, json={"team": 10**9, "station": "11-12"}, headers=hq)
    assert r.status_code == 404
    r = await client.post(url, json={"team": team["id"]}, headers=hq)
    assert r.status_code == 422
    volunteer = bearer(vols[0]["token"])
    assert (await client.post(url, json={"team": team["id"], "station": "11-12"}, headers=volunteer)).status_code == 403
    assert (await client.get(f"/api/campaigns/{slug}/dispatch/suggestions", headers=volunteer)).status_code == 403
    # a team of another campaign cannot be sent through this one
    other_admin = bearer((await add_user(pool, campaign["slug"], "admin"))["token"])
    r = await client.post(
        f"/api/campaigns/{campaign['slug']}/dispatch/assignments",
        json={"team": team["id"], "station": "11-12"},
        headers=other_admin,
    )
    assert r.status_code == 404
    # members must belong to the campaign
    outsider = await add_user(pool, campaign["slug"], "volunteer")
    oid = await user_id(pool, outsider["login"])
    r = await client.post(f"/api/campaigns/{slug}/teams", json={"name": "Mixed", "members": [oid]}, headers=hq)
    assert r.status_code == 422 and r.json()["users"] == [oid]
    assert (await client.get(f"/api/campaigns/{slug}/dispatch/mine", headers=volunteer)).json()["id"] == team["id"]


async def test_simulator_teams_are_grouped_and_reused(pool, campaign):
    from server.dispatch.queries import ensure_teams, teams

    vols = await volunteers(pool, campaign["slug"], 7, "S")
    ids = [v["id"] for v in vols]
    async with pool.acquire() as c:
        assert await ensure_teams(c, campaign["id"], ids, 3, "sim team") == 3
        assert await ensure_teams(c, campaign["id"], ids, 3, "sim team") == 3  # a second run: same teams
        got = await teams(c, campaign["id"])
    assert [(t.name, t.members) for t in got] == [
        ("sim team 1", ids[0:3]),
        ("sim team 2", ids[3:6]),
        ("sim team 3", ids[6:7]),
    ]


async def test_rules_decisions_and_home_district_are_kept(client, pool, paris, hq, redis_url):
    slug = paris["slug"]
    base = f"/api/campaigns/{slug}/dispatch"
    assert (await client.get(f"{base}/settings", headers=hq)).json()["max_walk_m"] == 3000
    r = await client.put(
        f"{base}/settings",
        json={"walk_scale_m": 800, "max_walk_m": 2000, "home_bonus": 1.5, "covered_at": 0.8, "refresh_s": 30},
        headers=hq,
    )
    assert r.status_code == 200 and r.json()["refresh_s"] == 30
    bad = await client.put(f"{base}/settings", json={"walk_scale_m": -1}, headers=hq)
    assert bad.status_code == 422
    assert (await client.get(f"{base}/settings", headers=hq)).json()["walk_scale_m"] == 800  # bad input kept nothing

    vols = await volunteers(pool, slug, 1, "D")
    team = await make_team(client, slug, hq, f"D {vols[0]['login']}", vols)
    assert (
        await client.put(f"/api/campaigns/{slug}/teams/{team['id']}/home", json={"district": "99"}, headers=hq)
    ).status_code == 422
    r = await client.put(f"/api/campaigns/{slug}/teams/{team['id']}/home", json={"district": "20"}, headers=hq)
    assert r.status_code == 200 and r.json()["home"] == "20"
    s1 = (await top_values(pool, paris["id"], client, slug, hq))[0]
    await place(redis_url, paris["id"], vols[0]["id"], s1.lon, s1.lat)
    body = (await client.get(f"{base}/suggestions", headers=hq)).json()
    assert body["rules"]["max_walk_m"] == 2000
    mine = next(s for s in body["suggestions"] if s["team"] == team["id"])
    assert all(s["distance_m"] is None or s["distance_m"] <= 2000 for s in body["suggestions"])

    # reject, then change: both kept with who decided and what was suggested; change sends the team
    rejected = await client.post(
        f"{base}/decisions",
        json={"team": team["id"], "suggested": mine["station"], "decision": "rejected", "suggestion": mine},
        headers=hq,
    )
    assert rejected.status_code == 201 and rejected.json()["assignment"] is None
    changed = await client.post(
        f"{base}/decisions",
        json={
            "team": team["id"],
            "suggested": mine["station"],
            "decision": "changed",
            "station": "20-12",
            "suggestion": mine,
        },
        headers=hq,
    )
    assert changed.status_code == 201, changed.text
    assert changed.json()["assignment"]["assignment"]["station"] == "20-12"
    bad = await client.post(
        f"{base}/decisions", json={"team": team["id"], "suggested": "99-99", "decision": "accepted"}, headers=hq
    )
    assert bad.status_code == 422 and "99-99" in bad.json()["detail"]
    assert (
        await client.post(f"{base}/decisions", json={"team": team["id"], "decision": "changed"}, headers=hq)
    ).status_code == 422
    kept = [d for d in (await client.get(f"{base}/decisions", headers=hq)).json() if d["team"] == team["id"]]
    assert [(d["decision"], d["suggested"], d["chosen"]) for d in kept] == [
        ("rejected", mine["station"], None),
        ("changed", mine["station"], "20-12"),
    ]
    assert kept[0]["suggestion"]["summary"] == mine["summary"] and kept[0]["decided_by_name"] == "Dispatcher"
    teams = (await client.get(f"/api/campaigns/{slug}/teams", headers=hq)).json()
    assert next(t for t in teams if t["id"] == team["id"])["assignment"]["station"] == "20-12"
    # restore the shared campaign's default rules for the other tests
    await client.put(f"{base}/settings", json={}, headers=hq)
