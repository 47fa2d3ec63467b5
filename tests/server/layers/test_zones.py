"""Station features and Corto's distance zone in PostGIS, checked against independent
computations on the real Paris files: shapely in a local metric projection, and the grid's totals."""

from __future__ import annotations

import json
import math

import numpy as np
import orjson
import pytest
import shapely

from server.layers.loading import zone_shares
from tests.conftest import DATA, GREEN_SPACES, GRID_200M

SECTORS = DATA / "paris_secteurs_bureaux_vote_2024.geojson"
EARTH_M = 6_371_008.8


def _local_metric(lat0: float):
    """An equirectangular projection around lat0, in metres: over a city (±10 km) its scale error
    is about 0.1 %, independent of PostGIS and of the UTM zone the product uses."""
    k = math.cos(math.radians(lat0))

    def project(geom):
        return shapely.transform(
            geom, lambda xy: np.column_stack((np.radians(xy[:, 0]) * EARTH_M * k, np.radians(xy[:, 1]) * EARTH_M))
        )

    return project


def _shapely_share_beyond(metres: float) -> dict[str, float]:
    sectors = orjson.loads(SECTORS.read_bytes())["features"]
    parks = json.loads(GREEN_SPACES.read_text())["features"]
    project = _local_metric(48.86)
    buffers = []
    for f in parks:
        area = f["properties"]["surface_calculee_m2"] or 0
        point = project(shapely.Point(f["geometry"]["coordinates"]))
        buffers.append(point.buffer(metres + math.sqrt(area / math.pi), 16))
    near = shapely.union_all(buffers)
    shapely.prepare(near)
    out = {}
    for f in sectors:
        poly = project(shapely.geometry.shape(f["geometry"]))
        if poly.area > 10:  # 4-99 is a 1 m² placeholder
            out[f["properties"]["id_bv"]] = 1 - poly.intersection(near).area / poly.area
    return out


async def test_share_beyond_250m_of_green_spaces_agrees_with_shapely(pool, paris_layers):
    async with pool.acquire() as c:
        shares = await zone_shares(c, paris_layers["id"], "green", 250)
        again = await zone_shares(c, paris_layers["id"], "green", 250)  # from the cache
    assert again == shares and len(shares) == 902
    expected = _shapely_share_beyond(250)
    diffs = np.array([abs(shares[code][0] - want) for code, want in expected.items()])
    assert (diffs <= 0.02).mean() >= 0.95, f"{(diffs <= 0.02).mean():.3f} within 0.02; worst {diffs.max():.3f}"
    # a real spread, not all zeros or ones
    values = np.array([v[0] for v in shares.values()])
    assert 0.05 < values.mean() < 0.95 and (values > 0.5).sum() > 10
    # the address-weighted share exists where addresses are, and is a share
    with_addresses = [b for _, b in shares.values() if b is not None]
    assert len(with_addresses) > 850 and all(0 <= b <= 1 for b in with_addresses)


async def test_households_from_the_grid_sum_to_the_grid_total_inside_paris(pool, paris_layers):
    grid = orjson.loads(GRID_200M.read_bytes())["features"]
    inside_paris = sum(f["properties"]["men"] * f["properties"]["frac_paris"] for f in grid)
    async with pool.acquire() as c:
        total = await c.fetchval(
            "SELECT sum(f.value_sum) FROM station_layer_features f JOIN layers l ON l.id = f.layer_id "
            "WHERE l.campaign_id = $1 AND l.name = 'grid'",
            paris_layers["id"],
        )
    assert total == pytest.approx(inside_paris, rel=0.01)


async def test_distance_to_the_nearest_green_space(pool, paris_layers):
    async with pool.acquire() as c:
        rows = await c.fetch(
            "SELECT a.code, f.distance_m, f.weighting FROM station_layer_features f JOIN layers l ON l.id = f.layer_id "
            "JOIN areas a ON a.id = f.area_id WHERE l.campaign_id = $1 AND l.name = 'green'",
            paris_layers["id"],
        )
    assert len(rows) == 902
    d = np.array([r["distance_m"] for r in rows])
    assert (d >= 0).all() and np.median(d) < 400 and d.max() < 3000
    assert {r["weighting"] for r in rows} <= {"addresses", "area"} and sum(
        r["weighting"] == "addresses" for r in rows
    ) > 850


async def _addresses_by_station(c, campaign_id: int) -> tuple[list[str], np.ndarray]:
    rows = await c.fetch(
        "SELECT s.code, ST_X(ad.geom) AS lon, ST_Y(ad.geom) AS lat FROM addresses ad "
        "JOIN areas s ON s.id = ad.polling_station_id WHERE ad.campaign_id = $1",
        campaign_id,
    )
    return [r["code"] for r in rows], np.array([(r["lon"], r["lat"]) for r in rows])


async def _layer_features(c, campaign_id: int, layer: str) -> dict[str, tuple]:
    rows = await c.fetch(
        "SELECT a.code, f.value_sum, f.distance_m, f.weighting FROM station_layer_features f "
        "JOIN layers l ON l.id = f.layer_id JOIN areas a ON a.id = f.area_id "
        "WHERE l.campaign_id = $1 AND l.name = $2",
        campaign_id,
        layer,
    )
    return {r["code"]: (r["value_sum"], r["distance_m"], r["weighting"]) for r in rows}


async def test_households_are_split_over_each_cells_addresses(pool, paris_layers):
    """Recomputed independently with shapely: a cell's households inside the stations go to them by
    their addresses in the cell (by area when the cell has none), and the PostGIS figures follow
    that rule, not the area split."""
    async with pool.acquire() as c:
        codes, lonlat = await _addresses_by_station(c, paris_layers["id"])
        stored = await _layer_features(c, paris_layers["id"], "grid")
    project = _local_metric(48.86)
    stations = {
        f["properties"]["id_bv"]: project(shapely.geometry.shape(f["geometry"]))
        for f in orjson.loads(SECTORS.read_bytes())["features"]
    }
    names = list(stations)
    station_tree = shapely.STRtree(list(stations.values()))
    points = project(shapely.points(lonlat))
    point_tree = shapely.STRtree(points)
    code_of = np.array(codes)
    by_addresses = dict.fromkeys(names, 0.0)
    by_area = dict.fromkeys(names, 0.0)
    for f in orjson.loads(GRID_200M.read_bytes())["features"]:
        cell = project(shapely.geometry.shape(f["geometry"]))
        parts = {
            names[i]: stations[names[i]].intersection(cell).area / cell.area
            for i in station_tree.query(cell, predicate="intersects")
        }
        homes = {}
        for code in code_of[point_tree.query(cell, predicate="intersects")]:
            homes[code] = homes.get(code, 0) + 1
        inside, counted = sum(parts.values()), sum(homes.get(s, 0) for s in parts)
        for s, part in parts.items():
            by_area[s] += f["properties"]["men"] * part
            by_addresses[s] += f["properties"]["men"] * (inside * homes.get(s, 0) / counted if counted else part)
    with_addresses = [s for s in names if stored[s][2] == "addresses" and by_addresses[s] > 0]
    assert len(with_addresses) > 850
    err = np.array([abs((stored[s][0] or 0) - by_addresses[s]) / by_addresses[s] for s in with_addresses])
    err_area = np.array([abs((stored[s][0] or 0) - by_area[s]) / by_addresses[s] for s in with_addresses])
    assert (err <= 0.02).mean() >= 0.95, f"{(err <= 0.02).mean():.3f} within 2 %"
    # the two rules differ enough on real data for this test to tell them apart
    assert np.median(err_area) > 5 * max(np.median(err), 0.001)


async def test_distance_is_the_mean_over_the_stations_addresses(pool, paris_layers):
    async with pool.acquire() as c:
        codes, lonlat = await _addresses_by_station(c, paris_layers["id"])
        stored = await _layer_features(c, paris_layers["id"], "green")
    project = _local_metric(48.86)
    parks = json.loads(GREEN_SPACES.read_text())["features"]
    centres = shapely.get_coordinates(project(shapely.points([f["geometry"]["coordinates"] for f in parks])))
    radii = np.array([math.sqrt((f["properties"]["surface_calculee_m2"] or 0) / math.pi) for f in parks])
    xy = shapely.get_coordinates(project(shapely.points(lonlat)))
    code_of = np.array(codes)
    rng = np.random.default_rng(9)
    checked = rng.choice(sorted(set(codes)), size=60, replace=False)
    for code in checked:
        mine = xy[code_of == code]
        walk = np.maximum(0, np.hypot(*(mine[:, None, :] - centres[None, :, :]).transpose(2, 0, 1)) - radii)
        want = walk.min(axis=1).mean()
        got = stored[code][1]
        assert stored[code][2] == "addresses"
        assert abs(got - want) <= max(15, 0.03 * want), (code, got, want)
