"""Turfs without addresses: a real Paris station of a campaign with no address imported, cut into
H3 cells weighted by households (INSEE's 200 m grid imported as the campaign's 'households' layer,
its field mapping `--value-field men` given at import), grouped into contiguous turfs of about N
households, through the API and the CLI."""

from __future__ import annotations

import asyncio
import json
from collections import deque

import h3

from server.cli import main as cli_main
from tests.conftest import GRID_200M, add_user, bearer

STATION, SIZE = "11-13", 150


async def _import_households(pool, campaign: dict) -> None:
    from server.layers.loading import import_layer
    from server.layers.reader import LayerOptions, read_layer_file

    async with pool.acquire() as c:
        features = read_layer_file(GRID_200M, LayerOptions(value_field="men"))
        await import_layer(c, campaign["id"], "households", features, "men", None)


def _contiguous(cells: list[str]) -> bool:
    mine, seen, todo = set(cells), {cells[0]}, deque([cells[0]])
    while todo:
        for n in h3.grid_disk(todo.popleft(), 1):
            if n in mine and n not in seen:
                seen.add(n)
                todo.append(n)
    return seen == mine


async def test_a_station_without_addresses_is_cut_by_households_into_contiguous_turfs(
    client, pool, campaign, capsys, database_url
):
    slug = campaign["slug"]
    hq = bearer((await add_user(pool, slug, "coordinator", "Cutter"))["token"])
    url = f"/api/campaigns/{slug}/stations/{STATION}/turfs"
    from server.demo import import_city

    async with pool.acquire() as c:  # the stations and results of the station's arrondissement, no address
        await import_city(
            c,
            campaign["id"],
            skip_levels={"district", "neighbourhood"},
            skip_addresses=True,
            districts={STATION.split("-")[0]},
            area_index=False,  # nothing is located in this campaign
        )
    refused = await client.post(url, json={"doors": SIZE}, headers=hq)
    assert refused.status_code == 422 and "households" in refused.json()["detail"]  # says what to import

    await _import_households(pool, campaign)
    async with pool.acquire() as c:
        assert (
            await c.fetchval(
                "SELECT count(*) FROM addresses a JOIN areas s ON s.id = a.polling_station_id WHERE s.campaign_id = $1",
                campaign["id"],
            )
            == 0
        )
        # the station's households, area-weighted in PostGIS (on the sphere), independently
        expected = await c.fetchval(
            "SELECT sum(f.value * ST_Area(ST_Intersection(f.geom, a.geom)::geography) / ST_Area(f.geom::geography)) "
            "FROM layer_features f JOIN layers l ON l.id = f.layer_id, areas a "
            "WHERE l.campaign_id = $1 AND l.name = 'households' AND a.campaign_id = $1 "
            "AND a.level = 'polling_station' AND a.code = $2 AND ST_Intersects(f.geom, a.geom)",
            campaign["id"],
            STATION,
        )
    assert expected > 5 * SIZE

    r = await client.post(url, json={"doors": SIZE}, headers=hq)
    assert r.status_code == 201, r.text
    turfs = r.json()["turfs"]
    assert len(turfs) == round(expected / SIZE)
    total = sum(t["households"] for t in turfs)
    assert abs(total - expected) <= 0.01 * expected  # every household of the station, once
    assert all(0.75 * SIZE <= t["households"] <= 1.25 * SIZE for t in turfs)  # about N each
    cells = [c for t in turfs for c in t["cells"]]
    assert len(cells) == len(set(cells))  # no cell in two turfs
    assert all(_contiguous(t["cells"]) for t in turfs)  # each turf in one piece
    assert all(t["doors"] == 0 and t["route_m"] <= t["walk_m"] + 1e-6 for t in turfs)
    # compact: no turf spreads over more than half the station's cells' extent
    res = h3.get_resolution(cells[0])
    assert all(len(t["cells"]) < 0.5 * len(cells) for t in turfs) and 10 <= res <= 12

    # no doors: no route or walk list, and the answer says why
    r = await client.get(f"/api/campaigns/{slug}/turfs/{turfs[0]['id']}/walklist.csv", headers=hq)
    assert r.status_code == 404 and "households" in r.json()["detail"]

    # dispatch: the station takes a team per turf
    from server.dispatch.values import station_values

    async with pool.acquire() as c:
        values = {v.code: v for v in await station_values(c, campaign["id"], {}, 0.9)}
    assert values[STATION].capacity == len(turfs)

    # the CLI, as documented; bad input names the layer
    # (in a thread: the CLI runs its own event loop)
    assert (
        await asyncio.to_thread(cli_main, ["turfs", "cut", "--campaign", slug, "--station", STATION, "--doors", "300"])
        == 0
    )
    out = json.loads(capsys.readouterr().out)
    assert len(out["turfs"]) == round(expected / 300) and abs(out["households"] - expected) <= 0.01 * expected
    args = ["turfs", "cut", "--campaign", slug, "--station", STATION, "--doors", "300", "--households", "nosuch"]
    assert await asyncio.to_thread(cli_main, args) == 2
    assert "nosuch" in capsys.readouterr().err
