"""Live deltas on Redis: area codes from the in-memory index, and zone enter/exit."""

from __future__ import annotations

import asyncio
import time

import h3
import orjson
import redis.asyncio as aioredis
import shapely

from server.areas.queries import locate_exact
from server.redis import volunteer_state_key
from server.settings import PROJECT_ROOT
from tests.conftest import add_user
from tests.helpers.live import next_delta, subscribed
from tests.ingest.conftest import connected, ping, ping_frame, pings_frame, recv_until, stored, user_id


def station_point(code: str = "7-3") -> tuple[float, float]:
    """A point well inside a Paris polling-station sector, from the open-data file."""
    data = orjson.loads((PROJECT_ROOT / "data/paris/paris_secteurs_bureaux_vote_2024.geojson").read_bytes())
    feature = next(f for f in data["features"] if f["properties"]["id_bv"] == code)
    p = shapely.geometry.shape(feature["geometry"]).representative_point()
    return p.x, p.y


async def test_live_delta_with_paris_areas(ingest, pool, paris, redis_url):
    lon, lat = station_point()
    async with pool.acquire() as c:
        expected = await locate_exact(c, paris["id"], lon, lat)
    assert expected.polling_station.code == "7-3"
    user = await add_user(pool, paris["slug"], "volunteer", "Paris walker", agreed=True)
    uid = await user_id(pool, user["login"])
    async with subscribed(redis_url, paris["id"]) as pubsub, connected(ingest.ws_url, user["token"]) as (ws, _):
        t = time.time()
        await ws.send(ping_frame(42, lat=lat, lon=lon, t=t, acc=6.0, hdg=45.0, spd=1.1, bat=0.8))
        delta = await next_delta(pubsub)
        await recv_until(ws, "ack")
    cell = h3.latlng_to_cell(lat, lon, 11)
    assert delta["rt"] >= int(t * 1000) - 1000
    assert {k: v for k, v in delta.items() if k != "rt"} == {
        "type": "ping",
        "v": uid,
        "team": None,
        "seq": 42,
        "t": t,
        "lon": lon,
        "lat": lat,
        "acc": 6.0,
        "hdg": 45.0,
        "spd": 1.1,
        "bat": 0.8,
        "cell": cell,
        "ps": "7-3",
        "nb": expected.neighbourhood.code,
        "ds": expected.district.code,
        "zone": None,
        "ev": None,
        "low_acc": False,
    }
    client = aioredis.from_url(redis_url)
    state = orjson.loads(await client.hget(volunteer_state_key(paris["id"]), str(uid)))
    await client.aclose()
    assert state == delta
    row = (await stored(pool, uid))[0]
    assert row["cell"] == h3.str_to_int(cell)
    assert row["polling_station_id"] == expected.polling_station.id
    assert row["neighbourhood_id"] == expected.neighbourhood.id
    assert row["district_id"] == expected.district.id


async def _square_areas(pool, campaign: dict, tmp_path) -> dict[str, int]:
    """Two adjacent 0.01° squares near Paris as polling stations A (west) and B (east)."""
    from server.areas.geojson_reader import read_area_file
    from server.areas.loading import import_area_layer

    def square(x0):
        return {
            "type": "Polygon",
            "coordinates": [[[x0, 48.80], [x0 + 0.01, 48.80], [x0 + 0.01, 48.81], [x0, 48.81], [x0, 48.80]]],
        }

    fc = {
        "type": "FeatureCollection",
        "features": [
            {"type": "Feature", "properties": {"code": "A"}, "geometry": square(2.30)},
            {"type": "Feature", "properties": {"code": "B"}, "geometry": square(2.31)},
        ],
    }
    path = tmp_path / "squares.geojson"
    path.write_bytes(orjson.dumps(fc))
    async with pool.acquire() as c:
        await import_area_layer(c, campaign["id"], "polling_station", read_area_file(path, "code"))
        return {
            r["code"]: r["id"]
            for r in await c.fetch("SELECT id, code FROM areas WHERE campaign_id = $1", campaign["id"])
        }


async def test_zone_enter_exit(ingest, pool, campaign, volunteer, redis_url, tmp_path):
    areas = await _square_areas(pool, campaign, tmp_path)
    async with pool.acquire() as c:
        team = await c.fetchval(
            "INSERT INTO teams (campaign_id, name, color) VALUES ($1, 'North', '#f00') RETURNING id", campaign["id"]
        )
        await c.execute("INSERT INTO team_members (team_id, user_id) VALUES ($1, $2)", team, volunteer["id"])
        await c.execute(
            "INSERT INTO assignments (campaign_id, team_id, area_id) VALUES ($1, $2, $3)",
            campaign["id"],
            team,
            areas["A"],
        )
    in_a, in_b = (2.305, 48.805), (2.315, 48.805)
    t = time.time() - 10
    async with subscribed(redis_url, campaign["id"]) as pubsub, connected(ingest.ws_url, volunteer["token"]) as (ws, _):
        seen = []
        for seq, (lon, lat) in enumerate([in_b, in_a, in_a, in_b, in_b]):
            await ws.send(ping_frame(seq, lat=lat, lon=lon, t=t + seq))
            seen.append(await next_delta(pubsub))
        assert [(d["ps"], d["zone"], d["ev"], d["team"]) for d in seen] == [
            ("B", "out", None, team),
            ("A", "in", "enter", team),
            ("A", "in", None, team),
            ("B", "out", "exit", team),
            ("B", "out", None, team),
        ]
        # A batch crossing in and out again: both transitions are published, in device-time
        # order even when the frame lists them out of order, then the newest position.
        await ws.send(
            pings_frame(
                [
                    ping(12, lat=in_b[1], lon=in_b[0], t=t + 12),
                    ping(10, lat=in_a[1], lon=in_a[0], t=t + 10),
                    ping(11, lat=in_b[1], lon=in_b[0], t=t + 11),
                ]
            )
        )
        batch = [await next_delta(pubsub) for _ in range(3)]
        assert [(d["seq"], d["ev"]) for d in batch] == [(10, "enter"), (11, "exit"), (12, None)]
        # A late (older) ping is stored but changes neither the live state nor the zone.
        await ws.send(ping_frame(5, lat=in_a[1], lon=in_a[0], t=t + 5))
        while 5 not in (await recv_until(ws, "ack"))["seqs"]:
            pass
        await asyncio.sleep(0.3)
        assert await pubsub.get_message(ignore_subscribe_messages=True, timeout=0.3) is None
    assert 5 in {r["seq"] for r in await stored(pool, volunteer["id"])}
