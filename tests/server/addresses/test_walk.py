"""Walk lists on the real Paris addresses (BAN): every door of a station once, street by street
and side by side, much shorter than the address file's own order, from where the team stands."""

from __future__ import annotations

import random
import statistics
from pathlib import Path

import pytest

from server.addresses.walk import _side, _sort_key, length_m, walk
from tests.conftest import add_user, bearer

BAN = Path(__file__).resolve().parents[3] / "data" / "paris" / "paris_adresses_ban_2024.csv.gz"


def test_walk_visits_every_door_once_street_by_street(doors_by_station):
    rnd = random.Random(7)
    for code in rnd.sample(sorted(doors_by_station), 40):
        doors = doors_by_station[code]
        stops = walk(doors)
        assert sorted(s.door.id for s in stops) == sorted(d.id for d in doors)
        # one side of a street is walked in one go, in number order (either way)
        seen: dict[tuple, list[int]] = {}
        for i, s in enumerate(stops):
            seen.setdefault((s.door.street.casefold(), _side(s.door.number)), []).append(i)
        for (street, side), idx in seen.items():
            assert idx == list(range(idx[0], idx[0] + len(idx))), f"{code}: {street} ({side}) split"
            keys = [_sort_key(stops[i].door.number) for i in idx]
            assert keys == sorted(keys) or keys == sorted(keys, reverse=True), f"{code}: {street} out of order"


def test_walk_is_much_shorter_than_file_order_or_random(doors_by_station):
    rnd = random.Random(11)
    vs_file, vs_random = [], []
    for code in rnd.sample(sorted(doors_by_station), 60):
        doors = doors_by_station[code]
        if len(doors) < 20:
            continue
        walked = length_m([s.door for s in walk(doors)])
        shuffled = doors[:]
        rnd.shuffle(shuffled)
        vs_file.append(walked / length_m(doors))  # the BAN order: street by street, alphabetically
        vs_random.append(walked / length_m(shuffled))
    # measured when written: medians 0.44 and 0.11
    assert statistics.median(vs_file) < 0.6 and max(vs_file) < 0.9
    assert statistics.median(vs_random) < 0.2


def test_walk_starts_near_the_team(doors_by_station):
    doors = max(doors_by_station.values(), key=len)
    far = max(doors, key=lambda d: d.lon)
    stops = walk(doors, start=(far.lon + 0.0001, far.lat))
    assert stops[0].leg_m < 60  # begins at the doors next to the team, not across the station
    assert walk([], start=(2.35, 48.86)) == []


async def test_walk_list_api(client, pool, paris):
    slug = paris["slug"]
    vol = await add_user(pool, slug, "volunteer")
    async with pool.acquire() as c:
        code, n, lon, lat = await c.fetchrow(
            "SELECT a.code, count(*), ST_X(ST_PointOnSurface(a.geom)), ST_Y(ST_PointOnSurface(a.geom)) "
            "FROM addresses ad JOIN areas a ON a.id = ad.polling_station_id WHERE a.campaign_id = $1 "
            "GROUP BY a.id ORDER BY count(*) DESC LIMIT 1",
            paris["id"],
        )
    url = f"/api/campaigns/{slug}/stations/{code}/walk"
    r = await client.get(url, headers=bearer(vol["token"]))
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["doors"] == n == len(body["stops"]) == len({s["id"] for s in body["stops"]})
    assert body["start"] == [pytest.approx(lon), pytest.approx(lat)]  # from the station itself
    assert body["distance_m"] == pytest.approx(sum(s["leg_m"] for s in body["stops"]), abs=len(body["stops"]))
    assert body["minutes"] == round(body["distance_m"] / 75)
    first = body["stops"][0]
    assert first["label"] == f"{first['number']} {first['street']}"

    last = body["stops"][-1]
    r = await client.get(url, params={"lon": last["lon"], "lat": last["lat"]}, headers=bearer(vol["token"]))
    assert r.json()["stops"][0]["leg_m"] < body["stops"][0]["leg_m"] + 1 or r.json()["stops"][0]["leg_m"] < 60

    for params, status in (({"lon": 2.35}, 422), ({"lon": 2.35, "lat": 91}, 422), ({"lon": "east", "lat": 48.8}, 422)):
        bad = await client.get(url, params=params, headers=bearer(vol["token"]))
        assert bad.status_code == status, (params, bad.text)
        assert bad.headers["content-type"].startswith("application/problem+json")
    missing = await client.get(f"/api/campaigns/{slug}/stations/99-999/walk", headers=bearer(vol["token"]))
    assert missing.status_code == 404 and "99-999" in missing.json()["detail"]
