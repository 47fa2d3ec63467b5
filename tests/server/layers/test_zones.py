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
        return shapely.transform(geom, lambda xy: np.column_stack(
            (np.radians(xy[:, 0]) * EARTH_M * k, np.radians(xy[:, 1]) * EARTH_M)))
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
            "WHERE l.campaign_id = $1 AND l.name = 'grid'", paris_layers["id"])
    assert total == pytest.approx(inside_paris, rel=0.01)


async def test_distance_to_the_nearest_green_space(pool, paris_layers):
    async with pool.acquire() as c:
        rows = await c.fetch(
            "SELECT a.code, f.distance_m, f.weighting FROM station_layer_features f JOIN layers l ON l.id = f.layer_id "
            "JOIN areas a ON a.id = f.area_id WHERE l.campaign_id = $1 AND l.name = 'green'", paris_layers["id"])
    assert len(rows) == 902
    d = np.array([r["distance_m"] for r in rows])
    assert (d >= 0).all() and np.median(d) < 400 and d.max() < 3000
    assert {r["weighting"] for r in rows} <= {"addresses", "area"} and \
        sum(r["weighting"] == "addresses" for r in rows) > 850
