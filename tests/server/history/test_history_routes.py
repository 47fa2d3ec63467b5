"""/hexes and /replay against real PostGIS and Redis."""

from __future__ import annotations

import datetime as dt
import time
from collections import defaultdict

import orjson
import pytest
from h3.api import basic_int as h3i

from server.campaigns.queries import create_campaign
from server.redis import volunteer_state_key
from tests.conftest import add_user, bearer
from tests.server.history.conftest import insert_pings, station_points, user_id

UTC = dt.timezone.utc
P = station_points()


def iso(t: float) -> str:
    return dt.datetime.fromtimestamp(t, UTC).isoformat()


@pytest.fixture
async def people(pool, campaign):
    """An admin and three volunteers of this test's campaign."""
    slug = campaign["slug"]
    admin = await add_user(pool, slug, "admin", "HQ")
    vols = [await add_user(pool, slug, "volunteer", n) for n in ("Ada", "Bo", "Cy")]
    ids = [await user_id(pool, v["login"]) for v in vols]
    return {"admin": admin, "volunteers": vols, "ids": ids}


def expected(rows, res: int) -> dict[str, tuple[int, int]]:
    pings, vols = defaultdict(int), defaultdict(set)
    for v, _t, lon, lat, *_ in rows:
        parent = h3i.cell_to_parent(h3i.latlng_to_cell(lat, lon, 11), res)
        pings[parent] += 1
        vols[parent].add(v)
    return {format(c, "x"): (pings[c], len(vols[c])) for c in pings}


async def test_history_hexes_count_pings_and_distinct_volunteers(pool, campaign, people, client):
    a, b, c = people["ids"]
    base = time.time() - 2 * 3600
    lon1, lat1 = P["1-4"]  # Châtelet, Canopée
    lon2, lat2 = P["18-60"]  # Montmartre
    near1 = (lon1, lat1 + 0.0003)  # ~33 m north: another res-11 cell, same res-8 parent
    rows = (
        [(a, base + i, lon1, lat1) for i in range(3)]
        + [(a, base + 10 + i, *near1) for i in range(2)]
        + [(b, base + 20 + i, lon1, lat1) for i in range(2)]
        + [(c, base + 30 + i, lon2, lat2) for i in range(4)]
    )
    await insert_pings(pool, campaign["id"], rows)
    # outside the window, and another campaign's pings at the same place: never counted
    await insert_pings(pool, campaign["id"], [(a, base - 600, lon2, lat2), (c, base + 4000, lon1, lat1)])
    async with pool.acquire() as conn:
        other = await create_campaign(conn, campaign["slug"] + "-x", "other")
    await insert_pings(pool, other["id"], [(a, base + 5, lon1, lat1)])

    params = {"source": "history", "since": iso(base - 1), "until": iso(base + 60)}
    headers = bearer(people["admin"]["token"])
    for res in (11, 8):
        r = await client.get(f"/api/campaigns/{campaign['slug']}/hexes", params={**params, "res": res}, headers=headers)
        assert r.status_code == 200, r.text
        body = r.json()
        assert body["res"] == res and body["source"] == "history" and body["approximate"] is False
        got = {h["h3"]: (h["pings"], h["volunteers"]) for h in body["hexes"]}
        assert got == expected(rows, res)
        firsts = [h["first"] for h in body["hexes"]]
        assert firsts == sorted(firsts) and min(firsts) == pytest.approx(base, abs=1e-3)
    # at res 8 the Châtelet hex has 7 pings by 2 volunteers, though Ada was in two res-11 cells
    parent = format(h3i.cell_to_parent(h3i.latlng_to_cell(lat1, lon1, 11), 8), "x")
    assert got[parent] == (7, 2)
    assert len(expected(rows, 11)) == 3 and len(got) == 2


async def test_history_hexes_fold_in_retired_days(pool, campaign, people, client):
    a = people["ids"][0]
    lon, lat = P["4-49"]
    cell = h3i.latlng_to_cell(lat, lon, 11)
    day = dt.datetime.now(UTC).date() - dt.timedelta(days=5)
    async with pool.acquire() as conn:
        await conn.executemany(
            "INSERT INTO ping_cell_days (campaign_id, day, res, cell, pings, volunteers) VALUES ($1, $2, $3, $4, $5, $6)",
            [(campaign["id"], day, 11, cell, 40, 3), (campaign["id"], day, 9, h3i.cell_to_parent(cell, 9), 40, 3)],
        )
    now = time.time()
    await insert_pings(pool, campaign["id"], [(a, now - 60, lon, lat)])
    headers = bearer(people["admin"]["token"])
    since = dt.datetime.combine(day, dt.time(8), UTC).isoformat()
    for res in (11, 7):
        r = await client.get(
            f"/api/campaigns/{campaign['slug']}/hexes", params={"since": since, "res": res}, headers=headers
        )
        body = r.json()
        assert body["approximate"] is True
        [h] = body["hexes"]
        assert h["h3"] == format(h3i.cell_to_parent(cell, res), "x")
        assert (h["pings"], h["volunteers"]) == (41, 4)  # retired volunteers are summed per day
        assert h["first"] == dt.datetime.combine(day, dt.time(0), UTC).timestamp()
    # a window after the retired day does not reach it
    r = await client.get(
        f"/api/campaigns/{campaign['slug']}/hexes", params={"since": iso(now - 3600), "res": 11}, headers=headers
    )
    assert r.json()["approximate"] is False and r.json()["hexes"][0]["pings"] == 1


async def test_live_hexes_count_live_volunteers_from_redis(campaign, people, client, app_state):
    _, state = app_state
    redis = state["redis"]
    now_ms = time.time() * 1000
    stale_ms = state["settings"].live_stale_after_s * 1000
    lon1, lat1 = P["1-4"]
    lon2, lat2 = P["18-60"]

    def st(v, lon, lat, rt, cell=True):
        obj = {"type": "ping", "v": v, "team": None, "t": rt / 1000, "rt": rt, "lon": lon, "lat": lat}
        if cell:
            obj["cell"] = format(h3i.latlng_to_cell(lat, lon, 11), "x")
        return orjson.dumps(obj)

    a, b, c = people["ids"]
    key = volunteer_state_key(campaign["id"])
    await redis.hset(
        key,
        mapping={
            str(a): st(a, lon1, lat1, now_ms - 1000),
            str(b): st(b, lon1, lat1 + 0.0003, now_ms - 5000, cell=False),  # no cell: located from lon/lat
            str(c): st(c, lon2, lat2, now_ms - stale_ms - 60_000),  # stale
            "999999": b"not json",
        },
    )
    try:
        headers = bearer(people["admin"]["token"])
        r = await client.get(
            f"/api/campaigns/{campaign['slug']}/hexes", params={"source": "live", "res": 8}, headers=headers
        )
        assert r.status_code == 200, r.text
        body = r.json()
        assert body["source"] == "live" and body["res"] == 8
        parent = format(h3i.cell_to_parent(h3i.latlng_to_cell(lat1, lon1, 11), 8), "x")
        assert body["hexes"] == [{"h3": parent, "pings": 2, "volunteers": 2}]
        r = await client.get(
            f"/api/campaigns/{campaign['slug']}/hexes", params={"source": "live", "res": 11}, headers=headers
        )
        assert sorted(h["volunteers"] for h in r.json()["hexes"]) == [1, 1]
    finally:
        await redis.delete(key)


async def test_replay_downsamples_per_volunteer(pool, campaign, people, client):
    a, b, c = people["ids"]
    base = float(int(time.time() - 3 * 3600))  # buckets count from `since`
    lon, lat = P["11-14"]
    # Ada: a ping every 2 s for 60 s, walking east → 30 pings, 6 buckets of 10 s
    rows = [(a, base + 2 * i, lon + 0.00002 * i, lat) for i in range(30)]
    # Bo: a low-accuracy fix first, then an accurate one in the same bucket: the accurate one wins
    rows += [(b, base + 1, 2.2, 48.8, True), (b, base + 3, lon, lat + 0.001), (b, base + 31, lon, lat + 0.002)]
    await insert_pings(pool, campaign["id"], rows)
    async with pool.acquire() as conn:
        team = await conn.fetchval(
            "INSERT INTO teams (campaign_id, name) VALUES ($1, 'Est') RETURNING id", campaign["id"]
        )
        await conn.execute("INSERT INTO team_members (team_id, user_id) VALUES ($1, $2)", team, a)

    r = await client.get(
        f"/api/campaigns/{campaign['slug']}/replay",
        params={"since": iso(base), "until": iso(base + 59)},
        headers={**bearer(people["admin"]["token"]), "Accept-Encoding": "identity"},
    )
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["t0"] == base and body["step_s"] == 10 and body["points"] == 8
    ada, bo = body["volunteers"][str(a)], body["volunteers"][str(b)]
    assert str(c) not in body["volunteers"]
    assert ada["team"] == team and bo["team"] is None
    assert ada["t"] == [0, 10, 20, 30, 40, 50]
    assert ada["lon"] == pytest.approx([lon + 0.00002 * 5 * k for k in range(6)], abs=1e-5)
    assert ada["lat"] == pytest.approx([lat] * 6, abs=1e-5)
    assert bo["t"] == [3, 31] and bo["lat"] == pytest.approx([lat + 0.001, lat + 0.002], abs=1e-5)

    r = await client.get(
        f"/api/campaigns/{campaign['slug']}/replay",
        params={"since": iso(base), "until": iso(base + 59), "step_s": 30},
        headers=bearer(people["admin"]["token"]),
    )
    assert r.json()["volunteers"][str(a)]["t"] == [0, 30]


async def test_replay_is_gzipped_when_large(pool, campaign, people, client):
    a = people["ids"][0]
    base = float(int(time.time() - 3 * 3600))
    lon, lat = P["1-4"]
    await insert_pings(pool, campaign["id"], [(a, base + i, lon + 1e-5 * i, lat) for i in range(3000)])
    r = await client.get(
        f"/api/campaigns/{campaign['slug']}/replay",
        params={"since": iso(base), "until": iso(base + 3600), "step_s": 1},
        headers={**bearer(people["admin"]["token"]), "Accept-Encoding": "gzip"},
    )
    assert r.headers["content-encoding"] == "gzip"
    assert len(r.json()["volunteers"][str(a)]["t"]) == 3000  # httpx decodes it


@pytest.mark.parametrize(
    "path,params,why",
    [
        ("replay", {"since": "2026-03-01T10:00:00Z", "until": "2026-03-01T10:00:00Z"}, "before"),
        ("replay", {"since": "2026-03-01T11:00:00Z", "until": "2026-03-01T10:00:00Z"}, "before"),
        ("replay", {"since": "2026-03-01T06:00:00Z", "until": "2026-03-02T06:00:01Z"}, "at most 24 h"),
        ("replay", {"since": "2026-03-01T06:00:00+01:00", "until": "2026-03-02T06:00:00+02:00"}, None),
        ("replay", {"step_s": 0}, "step_s"),
        ("replay", {"since": "yesterday"}, "since"),
        ("hexes", {"since": "2026-03-01T11:00:00Z", "until": "2026-03-01T10:00:00Z"}, "before"),
        ("hexes", {"res": 12}, "res"),
        ("hexes", {"res": 5}, "res"),
        ("hexes", {"source": "tomorrow"}, "source"),
    ],
)
async def test_bad_windows_and_parameters_are_422(path, params, why, campaign, people, client):
    r = await client.get(
        f"/api/campaigns/{campaign['slug']}/{path}", params=params, headers=bearer(people["admin"]["token"])
    )
    if why is None:  # 23 h across a DST-like offset change: accepted
        assert r.status_code == 200, r.text
        return
    assert r.status_code == 422, r.text
    assert r.headers["content-type"].startswith("application/problem+json")
    assert why in r.json()["detail"]


async def test_defaults_answer_for_hq_and_volunteers_get_403(campaign, people, pool, client):
    coordinator = await add_user(pool, campaign["slug"], "coordinator")
    for path in ("hexes", "replay"):
        r = await client.get(f"/api/campaigns/{campaign['slug']}/{path}", headers=bearer(coordinator["token"]))
        assert r.status_code == 200, r.text
        r = await client.get(
            f"/api/campaigns/{campaign['slug']}/{path}", headers=bearer(people["volunteers"][0]["token"])
        )
        assert r.status_code == 403
        assert r.headers["content-type"].startswith("application/problem+json")
