"""Simulated walks on the real Paris polling stations: through stations, at walking speed, with
bounded GPS noise and stops at doors. Pure walk logic; the stations come from PostGIS."""

from __future__ import annotations

import math
import random

import pytest

from server.consent.texts import current_version
from simulate.simulator import (
    BAD_ACC_M,
    GOOD_ACC_M,
    SPEED_MAX_MS,
    SPEED_MIN_MS,
    STOP_MAX_S,
    STOP_MIN_S,
    Station,
    Walk,
    ensure_volunteers,
    load_stations,
    metres_between,
    nearest_neighbours,
    next_seq,
)

STEP_S = 2.0
HOURS = 2


@pytest.fixture(scope="module")
async def stations(pool, paris):
    async with pool.acquire() as c:
        return await load_stations(c, paris["id"])


def walk_fixes(stations, seed: int, seconds: float = HOURS * 3600, step: float = STEP_S):
    found, neighbours = stations
    walk = Walk(found, neighbours, random.Random(seed), t0=0.0)
    return walk, [walk.fix(i * step) for i in range(1, int(seconds / step) + 1)]


async def test_stations_are_the_campaigns_polling_stations(stations):
    found, neighbours = stations
    # 902 sectors, less the 1 m² placeholder (4-99) that is nowhere to walk to
    assert len(found) == 901 and "4-99" not in found
    assert all(neighbours[code] for code in found)
    # adjacency is symmetric for touching sectors
    sample = sorted(found)[:50]
    for code in sample:
        for other in neighbours[code]:
            assert other in found


async def test_walk_passes_through_neighbouring_polling_stations(stations, pool, paris):
    found, neighbours = stations
    walk, fixes = walk_fixes(stations, seed=7)
    route = walk.route
    assert len(route) >= 4, route
    for a, b in zip(route, route[1:]):
        assert b in neighbours[a], (a, b)
    # The walker really is at each station's interior point at some moment, and that point
    # lies inside the station's own polygon in PostGIS.
    reach = SPEED_MAX_MS * STEP_S + 0.5
    for code in route[1:-1]:
        s = found[code]
        closest = min(metres_between(f.true_lon, f.true_lat, s.lon, s.lat) for f in fixes)
        assert closest <= reach, (code, closest)
    async with pool.acquire() as c:
        inside = await c.fetch(
            "SELECT a.code FROM unnest($2::text[], $3::float8[], $4::float8[]) AS p(code, lon, lat) "
            "JOIN areas a ON a.campaign_id = $1 AND a.level = 'polling_station' AND a.code = p.code "
            "WHERE ST_Covers(a.geom, ST_SetSRID(ST_MakePoint(p.lon, p.lat), 4326))",
            paris["id"],
            route,
            [found[c].lon for c in route],
            [found[c].lat for c in route],
        )
    assert {r["code"] for r in inside} == set(route)


async def test_walking_speed(stations):
    _, fixes = walk_fixes(stations, seed=11)
    speeds = []
    for a, b in zip(fixes, fixes[1:]):
        v = metres_between(a.true_lon, a.true_lat, b.true_lon, b.true_lat) / (b.t - a.t)
        assert v <= SPEED_MAX_MS + 1e-6
        if not a.stopped and not b.stopped:
            speeds.append(v)
    speeds.sort()
    median = speeds[len(speeds) // 2]
    assert SPEED_MIN_MS - 0.05 <= median <= SPEED_MAX_MS + 1e-6, median
    # reported speed: 0 when stopped, near the true walking speed otherwise
    moving = [f.spd for f in fixes if not f.stopped]
    assert all(f.spd == 0 for f in fixes if f.stopped)
    assert 1.0 <= sorted(moving)[len(moving) // 2] <= 1.7


async def test_gps_noise_is_bounded_by_the_reported_accuracy(stations):
    _, fixes = walk_fixes(stations, seed=3)
    for f in fixes:
        err = metres_between(f.true_lon, f.true_lat, f.lon, f.lat)
        assert err <= f.acc + 0.05, (err, f.acc)
        assert GOOD_ACC_M[0] <= f.acc <= BAD_ACC_M[1]
    good = [f for f in fixes if f.acc <= GOOD_ACC_M[1]]
    bad = [f for f in fixes if f.acc >= BAD_ACC_M[0]]
    assert len(good) > 0.9 * len(fixes)
    assert 0 < len(bad) < 0.1 * len(fixes)  # occasional bad fixes
    errors = sorted(metres_between(f.true_lon, f.true_lat, f.lon, f.lat) for f in good)
    assert 0.5 < errors[len(errors) // 2] < 8.0  # a few metres typically


async def test_stops_at_doors(stations):
    _, fixes = walk_fixes(stations, seed=5)
    runs, current, first = [], 0, True
    for f in fixes:
        if f.stopped:
            current += 1
        elif current:
            if not first:  # the walk may start mid-visit: skip that one
                runs.append(current * STEP_S)
            current = 0
        if not f.stopped:
            first = False
    assert len(runs) >= 10
    for duration in runs:
        assert STOP_MIN_S - STEP_S <= duration <= STOP_MAX_S + STEP_S, duration
    stopped_share = sum(f.stopped for f in fixes) / len(fixes)
    assert 0.15 < stopped_share < 0.8
    # no fix while standing moves the true position
    for a, b in zip(fixes, fixes[1:]):
        if a.stopped and b.stopped:
            assert metres_between(a.true_lon, a.true_lat, b.true_lon, b.true_lat) < SPEED_MAX_MS * STEP_S


async def test_walks_are_reproducible_and_time_only_moves_forward(stations):
    _, a = walk_fixes(stations, seed=9, seconds=600)
    _, b = walk_fixes(stations, seed=9, seconds=600)
    assert a == b
    walk, _ = walk_fixes(stations, seed=9, seconds=10)
    with pytest.raises(ValueError):
        walk.fix(1.0)


def test_any_city_works_with_nearest_neighbours():
    # A grid of "stations" in another hemisphere, with no polygon adjacency at all.
    found = {
        f"s{i}-{j}": Station(f"s{i}-{j}", 151.2 + i * 0.004, -33.87 + j * 0.004) for i in range(5) for j in range(5)
    }
    neighbours = nearest_neighbours(list(found.values()), k=4)
    walk = Walk(found, neighbours, random.Random(1), t0=0.0)
    fixes = [walk.fix(i * 5.0) for i in range(1, 2000)]
    assert len(set(walk.route)) >= 3
    assert all(150.0 < f.lon < 152.0 and -34.5 < f.lat < -33.0 for f in fixes)
    assert all(0.0 <= f.hdg < 360.0 for f in fixes if f.hdg is not None)


async def test_volunteer_accounts_are_made_in_bulk_and_reused(pool, paris):
    from server.auth.queries import memberships, user_by_token

    async with pool.acquire() as c:
        first = await ensure_volunteers(c, paris["slug"], 30, prefix="simtest")
        again = await ensure_volunteers(c, paris["slug"], 30, prefix="simtest")
        assert [i for i, _ in first] == [i for i, _ in again]  # same accounts
        assert all(t1 != t2 for (_, t1), (_, t2) in zip(first, again))  # fresh tokens
        user = await user_by_token(c, again[3][1])
        assert user is not None and user.id == again[3][0]
        assert await user_by_token(c, first[3][1]) is None  # the old token is gone
        rows = await memberships(c, user.id)
        assert [(r["slug"], r["role"]) for r in rows] == [(paris["slug"], "volunteer")]
        assert await next_seq(c, [i for i, _ in first]) >= 1
        # stand-ins go on shift like real volunteers: each stands by the current location text, once
        standing = await c.fetch(
            "SELECT user_id, version FROM location_consents WHERE campaign_id = $1 AND user_id = ANY($2::bigint[]) "
            "AND withdrawn_at IS NULL",
            paris["id"],
            [i for i, _ in first],
        )
        assert sorted(r["user_id"] for r in standing) == sorted(i for i, _ in first)
        assert {r["version"] for r in standing} == {current_version("location")}


def test_metres_between_is_close_to_haversine():
    lon1, lat1, lon2, lat2 = 2.35, 48.85, 2.36, 48.855
    r = 6_371_008.8
    p1, p2 = math.radians(lat1), math.radians(lat2)
    h = math.sin((p2 - p1) / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(math.radians(lon2 - lon1) / 2) ** 2
    exact = 2 * r * math.asin(math.sqrt(h))
    assert abs(metres_between(lon1, lat1, lon2, lat2) - exact) < 0.5


# -- the simulator's client (simulate.client.VolunteerClient) against a scripted server -----------


async def test_client_outbox_survives_throttle_reject_and_reconnect():
    """Throttled pings are resent after retry_after_ms, a rejected ping leaves the outbox, and a
    dropped connection resends everything unacked; duplicates of acks are harmless."""
    import asyncio

    import orjson
    from websockets.asyncio.server import serve

    from simulate.client import VolunteerClient

    state = {"connections": 0, "throttled": False, "closed_once": False, "frames": 0}

    async def handler(ws):
        state["connections"] += 1
        auth = orjson.loads(await ws.recv())
        assert auth["type"] == "auth" and auth["token"] == "tok" and auth["protocol"] == 1
        await ws.send(
            orjson.dumps(
                {
                    "type": "ready",
                    "protocol": 1,
                    "volunteer": 42,
                    "campaign": "c",
                    "max_frame_bytes": 8192,
                    "max_pings_per_s": 20,
                    "shift": {"id": 1, "since": 0},
                }
            ).decode()
        )
        async for raw in ws:
            msg = orjson.loads(raw)
            pings = [msg] if msg["type"] == "ping" else msg["pings"]
            seqs = [p["seq"] for p in pings]
            state["frames"] += 1
            if not state["throttled"]:
                state["throttled"] = True
                await ws.send(orjson.dumps({"type": "throttle", "retry_after_ms": 50, "seqs": seqs}).decode())
                continue
            bad = [s for s in seqs if s % 10 == 3]
            for s in bad:
                await ws.send(orjson.dumps({"type": "error", "seq": s, "code": "out_of_range", "reason": "x"}).decode())
            good = [s for s in seqs if s not in bad]
            if state["closed_once"] is False and len(good) > 1:
                # ack half, then drop the connection: the other half must come again
                state["closed_once"] = True
                await ws.send(orjson.dumps({"type": "ack", "seqs": good[: len(good) // 2]}).decode())
                await ws.close(1011)
                return
            await ws.send(orjson.dumps({"type": "ack", "seqs": good + good[:1]}).decode())

    async with serve(handler, "127.0.0.1", 0) as server:
        port = server.sockets[0].getsockname()[1]
        client = VolunteerClient(
            f"ws://127.0.0.1:{port}/ws/pings", "tok", seq_start=1, backoff_initial_s=0.02, linger_s=0.01
        )
        await client.start(wait_ready=True, timeout=5)
        assert client.volunteer_id == 42
        seqs = [client.add(lat=48.85, lon=2.35 + i * 1e-5, acc=5.0, spd=1.3, hdg=None) for i in range(20)]
        assert await client.flush(timeout=10), client.counters
        for i in range(20, 40):
            seqs.append(client.add(lat=48.85, lon=2.35 + i * 1e-5, acc=5.0))
            await asyncio.sleep(0.005)
        assert await client.flush(timeout=10), client.counters
        await client.close()

    rejected = {s for s in seqs if s % 10 == 3}
    assert set(client.rejected) == rejected
    assert client.acked_seqs == set(seqs) - rejected
    assert not client.outbox
    assert client.stats.throttled > 0 and client.stats.resent > 0
    assert client.stats.connects == 2 == state["connections"]
    assert client.stats.duplicate_acks > 0
    assert len(client.ack_latencies_ms) == len(client.acked_seqs)
