"""Turfs on the real Paris addresses: cut through the API and the CLI, routes, walk lists, and a
team assigned a turf. The shared Paris campaign gets its turfs removed again at the end."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import uuid

import pytest

from server.cli import main as cli_main
from tests.conftest import add_user, bearer
from tests.helpers.doors import doors_of
from tests.helpers.teams import make_team, volunteers

STATION = "11-13"


@pytest.fixture
async def hq(pool, paris):
    token = bearer((await add_user(pool, paris["slug"], "coordinator", "Turf cutter"))["token"])
    yield token
    async with pool.acquire() as c:  # leave the shared campaign as it was
        await c.execute("UPDATE assignments SET turf_id = NULL WHERE campaign_id = $1", paris["id"])
        await c.execute("DELETE FROM turfs WHERE campaign_id = $1", paris["id"])


async def test_cut_a_station_into_turfs_with_routes_and_walk_lists(client, pool, paris, hq):
    slug = paris["slug"]
    doors = len(await doors_of(pool, paris["id"], STATION))
    assert doors > 100
    r = await client.post(f"/api/campaigns/{slug}/stations/{STATION}/turfs", json={"doors": 40}, headers=hq)
    assert r.status_code == 201, r.text
    turfs = r.json()["turfs"]
    assert len(turfs) == -(-doors // 40)  # ceil
    assert sum(t["doors"] for t in turfs) == doors
    assert all(30 <= t["doors"] <= 50 for t in turfs)  # about N: cuts move at most N/4 to a street end
    assert all(t["route_m"] <= t["walk_m"] + 1e-6 for t in turfs)  # 2-opt never lengthens the walk
    assert all(t["streets"] for t in turfs)

    seen = []
    for t in turfs:
        route = (await client.get(f"/api/campaigns/{slug}/turfs/{t['id']}/route", headers=hq)).json()
        assert route["station"] == STATION and len(route["stops"]) == t["doors"]
        seen += [s["id"] for s in route["stops"]]
    assert len(seen) == len(set(seen)) == doors  # every door in exactly one turf

    first = turfs[0]["id"]
    r = await client.get(f"/api/campaigns/{slug}/turfs/{first}/walklist.csv", headers=hq)
    rows = list(csv.DictReader(io.StringIO(r.text)))
    assert r.status_code == 200 and len(rows) == turfs[0]["doors"] and rows[0]["order"] == "1"
    route = (await client.get(f"/api/campaigns/{slug}/turfs/{first}/route", headers=hq)).json()
    assert [(x["number"], x["street"]) for x in rows] == [(s["number"], s["street"]) for s in route["stops"]]
    pdf = await client.get(f"/api/campaigns/{slug}/turfs/{first}/walklist.pdf", headers=hq)
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF") and len(pdf.content) > 2000

    # re-cutting replaces; bad input is a 4xx and keeps what was there
    assert (
        await client.post(f"/api/campaigns/{slug}/stations/{STATION}/turfs", json={"doors": 2}, headers=hq)
    ).status_code == 422
    assert (
        await client.post(f"/api/campaigns/{slug}/stations/99-99/turfs", json={"doors": 40}, headers=hq)
    ).status_code == 404
    assert len(
        (await client.get(f"/api/campaigns/{slug}/stations/{STATION}/turfs", headers=hq)).json()["turfs"]
    ) == len(turfs)
    assert (await client.get(f"/api/campaigns/{slug}/turfs/{10**9}/route", headers=hq)).status_code == 404


async def test_a_team_is_assigned_a_turf_and_big_stations_take_a_team_per_turf(client, pool, paris, hq):
    from server.dispatch.values import station_values

    slug = paris["slug"]
    turfs = (
        await client.post(f"/api/campaigns/{slug}/stations/{STATION}/turfs", json={"doors": 50}, headers=hq)
    ).json()["turfs"]
    vols = await volunteers(pool, slug, 1, "Turf")
    team = await make_team(client, slug, hq, f"Turf {vols[0]['login']}", vols)
    url = f"/api/campaigns/{slug}/dispatch/assignments"
    r = await client.post(url, json={"team": team["id"], "station": STATION, "turf": turfs[1]["id"]}, headers=hq)
    assert r.status_code == 201, r.text
    assert r.json()["assignment"]["turf"] == turfs[1]["id"]
    r = await client.post(url, json={"team": team["id"], "station": "11-12", "turf": turfs[1]["id"]}, headers=hq)
    assert r.status_code == 422  # a turf of another station
    listed = (await client.get(f"/api/campaigns/{slug}/stations/{STATION}/turfs", headers=hq)).json()["turfs"]
    assert listed[1]["team"] == team["name"]
    async with pool.acquire() as c:
        values = {v.code: v for v in await station_values(c, paris["id"], {STATION: 1}, 0.9)}
    if STATION in values:  # (not if canvassed to coverage by another test today)
        assert values[STATION].capacity == len(turfs) and values[STATION].taken == 1


async def test_door_outcomes_feed_each_turfs_coverage(client, pool, paris, hq):
    """Doors knocked and opened per turf, counted on the turf's own real addresses: distinct
    doors (a door knocked twice counts once; opened if anyone came to it), in the window."""
    slug = paris["slug"]
    t0 = dt.datetime.now(dt.UTC) - dt.timedelta(seconds=1)  # only this test's outcomes count
    turfs = (
        await client.post(f"/api/campaigns/{slug}/stations/{STATION}/turfs", json={"doors": 40}, headers=hq)
    ).json()["turfs"]
    first, second = [
        [
            s["id"]
            for s in (await client.get(f"/api/campaigns/{slug}/turfs/{t['id']}/route", headers=hq)).json()["stops"]
        ]
        for t in turfs[:2]
    ]
    walker = bearer((await add_user(pool, slug, "volunteer", "Turf walker"))["token"])
    for door, what in [
        (first[0], "not_home"),
        (first[0], "opened"),  # came back: the same door, now opened
        (first[1], "refused"),
        (first[2], "not_home"),
        (first[3], "contact"),
        (second[0], "later"),
    ]:
        r = await client.post(
            f"/api/campaigns/{slug}/doors/outcomes",
            json={"address": door, "outcome": what, "client_id": str(uuid.uuid4())},
            headers=walker,
        )
        assert r.status_code == 201, r.text
    url = f"/api/campaigns/{slug}/stations/{STATION}/turfs"
    listed = (await client.get(url, params={"since": t0.isoformat()}, headers=hq)).json()
    cov = {t["number"]: (t["knocked"], t["opened"], t["refused"], t["contacts"]) for t in listed["turfs"]}
    assert cov[1] == (4, 3, 1, 1) and cov[2] == (1, 1, 0, 0)
    assert all(c == (0, 0, 0, 0) for n, c in cov.items() if n > 2)
    assert listed["turfs"][0]["share_knocked"] == pytest.approx(4 / turfs[0]["doors"], abs=1e-4)
    bad = await client.get(url, params={"since": "2026-13-01"}, headers=hq)
    assert bad.status_code == 422


def test_cli_cuts_turfs_and_rejects_bad_input(paris, hq, capsys, database_url):
    assert cli_main(["turfs", "cut", "--campaign", paris["slug"], "--station", STATION, "--doors", "60"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["station"] == STATION and len(out["turfs"]) == -(-out["doors"] // 60)
    assert all(t["route_m"] <= t["walk_m"] for t in out["turfs"])
    assert cli_main(["turfs", "cut", "--campaign", paris["slug"], "--station", STATION, "--doors", "2"]) == 2
    assert "station 11-13" in capsys.readouterr().err
    assert cli_main(["turfs", "cut", "--campaign", paris["slug"], "--station", "99-99", "--doors", "60"]) == 2
    err = capsys.readouterr().err
    assert "99-99" in err and len(err.strip().splitlines()) == 1
