"""AreaIndex (H3 point-to-area index) against a brute-force shapely `covers` reference,
on the real Paris layers. Pure: no database. The PostGIS comparison is test_locate_postgis."""

from __future__ import annotations

import json
import math
from collections import defaultdict
from pathlib import Path

import numpy as np
import pytest
import shapely
from h3.api import basic_int as h3i

from server.areas.index import AreaIndex, IndexedArea, _cell_polygons

DATA = Path(__file__).resolve().parents[3] / "data" / "paris"
LAYERS = (  # level, file, code field; ids are assigned by feature order across the files
    ("district", "paris_arrondissements.geojson", "c_ar"),
    ("neighbourhood", "paris_quartiers.geojson", "c_qu"),
    ("polling_station", "paris_secteurs_bureaux_vote_2024.geojson", "id_bv"),
)
LYON = (4.8357, 45.7640)


def _load() -> list[IndexedArea]:
    areas = []
    for level, name, field in LAYERS:
        for f in json.loads((DATA / name).read_text())["features"]:
            geom = shapely.geometry.shape(f["geometry"])
            areas.append(IndexedArea(len(areas) + 1, level, str(f["properties"][field]), geom))
    return areas


@pytest.fixture(scope="module")
def areas() -> list[IndexedArea]:
    return _load()


@pytest.fixture(scope="module")
def index(areas) -> AreaIndex:
    return AreaIndex.build(areas)


def reference(areas, level, lons, lats) -> np.ndarray:
    """Lowest id among the areas of `level` that cover each point (shapely covers, i.e.
    boundary inside, like ST_Covers), -1 for none. The STRtree only prunes by bbox."""
    mine = [a for a in areas if a.level == level]
    tree = shapely.STRtree(shapely.points(lons, lats))
    a, p = tree.query([x.geom for x in mine], predicate="covers")
    out = np.full(len(lons), np.iinfo(np.int64).max)
    np.minimum.at(out, p, np.array([x.id for x in mine], np.int64)[a])
    out[out == np.iinfo(np.int64).max] = -1
    return out


def _random_points(areas, n, seed):
    minx, miny, maxx, maxy = shapely.total_bounds([a.geom for a in areas])
    rng = np.random.default_rng(seed)
    return rng.uniform(minx, maxx, n), rng.uniform(miny, maxy, n)


def _check_scalar(index, areas, lons, lats):
    got = defaultdict(list)
    for x, y in zip(lons.tolist(), lats.tolist()):
        for level, v in index.locate(x, y).items():
            got[level].append(-1 if v is None else v)
    for level in index.levels:
        ref = reference(areas, level, lons, lats)
        bad = np.flatnonzero(np.array(got[level]) != ref)
        assert not len(bad), f"{level}: {len(bad)} disagreements, e.g. {lons[bad[0]]!r}, {lats[bad[0]]!r}"
        single = [index.locate_level(level, x, y) for x, y in zip(lons[:2000].tolist(), lats[:2000].tolist())]
        assert [-1 if v is None else v for v in single] == ref[:2000].tolist()


def test_random_points_agree_with_covers(index, areas):
    lons, lats = _random_points(areas, 100_000, seed=20240609)
    assert index.levels == ("district", "neighbourhood", "polling_station")
    _check_scalar(index, areas, lons, lats)
    # the sample really exercises inside, outside and nearly every sector
    ref = reference(areas, "polling_station", lons, lats)
    assert (ref == -1).sum() > 10_000 and len(set(ref.tolist())) > 850


def _shared_vertices(areas, level):
    owners = defaultdict(set)
    for a in areas:
        if a.level == level:
            for xy in shapely.get_coordinates(a.geom).tolist():
                owners[tuple(xy)].add(a.id)
    return {xy: ids for xy, ids in owners.items() if len(ids) >= 2}


@pytest.mark.parametrize("level", ["polling_station", "neighbourhood", "district"])
def test_shared_vertices_and_edges_give_lowest_id(index, areas, level):
    shared = _shared_vertices(areas, level)
    assert len(shared) > 50
    pts = sorted(shared)[:: max(1, len(shared) // 1500)]
    for x, y in pts:
        # a vertex is on the boundary of each owner, so each covers it: the lowest id wins
        assert index.locate_level(level, x, y) == min(shared[(x, y)])
        assert index.locate(x, y)[level] == min(shared[(x, y)])
    # midpoints of edges between two consecutive shared vertices: whatever GEOS decides
    # on that floating-point point, the index must decide the same (lowest covering id)
    mids = []
    for a in (a for a in areas if a.level == level):
        ring = shapely.get_coordinates(a.geom.exterior).tolist()  # all Paris layers are Polygons
        for p, q in zip(ring, ring[1:]):
            if len(shared.get(tuple(p), set()) & shared.get(tuple(q), set())) >= 2:
                mids.append(((p[0] + q[0]) / 2, (p[1] + q[1]) / 2))
    mids = mids[:: max(1, len(mids) // 1500)]
    lons, lats = np.array([m[0] for m in mids]), np.array([m[1] for m in mids])
    ref = reference(areas, level, lons, lats)
    assert (ref != -1).mean() > 0.9  # midpoints are (almost always) covered
    got = [index.locate_level(level, x, y) for x, y in mids]
    assert [-1 if v is None else v for v in got] == ref.tolist()


def test_locate_many_equals_locate(index, areas):
    lons, lats = _random_points(areas, 30_000, seed=3)
    shared = sorted(_shared_vertices(areas, "polling_station"))[:500]
    lons = np.r_[lons, [p[0] for p in shared], LYON[0], np.nan, 2.35 + 360, 2.35]
    lats = np.r_[lats, [p[1] for p in shared], LYON[1], 48.86, 48.86, np.nan]
    many = index.locate_many(lons, lats)
    assert set(many) == set(index.levels)
    for i, (x, y) in enumerate(zip(lons.tolist(), lats.tolist())):
        one = index.locate(x, y)
        assert {k: int(v[i]) for k, v in many.items()} == {k: -1 if v is None else v for k, v in one.items()}
    assert all(v.dtype == np.int64 and len(v) == len(lons) for v in many.values())


def test_far_and_invalid_points_are_nowhere(index):
    none = dict.fromkeys(index.levels)
    assert index.locate(*LYON) == none
    assert index.locate(2.35 + 360, 48.86) == none  # h3 would wrap this back onto Paris
    assert index.locate(math.nan, 48.86) == none
    assert index.locate_level("polling_station", *LYON) is None
    assert index.locate_level("no_such_level", 2.35, 48.86) is None
    assert index.locate(2.35, 48.86)["district"] is not None


def test_tiny_placeholder_sector_is_found(index, areas):
    tiny = next(a for a in areas if a.code == "4-99")
    assert tiny.geom.area < 1e-9  # ~1 m2
    x, y = tiny.geom.representative_point().coords[0]
    ref = reference(areas, "polling_station", np.array([x]), np.array([y]))[0]
    assert ref == tiny.id  # nothing with a lower id covers it
    assert index.locate_level("polling_station", x, y) == tiny.id
    assert index.locate(x, y)["polling_station"] == tiny.id
    assert index.locate_many([x], [y])["polling_station"].tolist() == [tiny.id]
    for vx, vy in shapely.get_coordinates(tiny.geom).tolist():
        assert (
            index.locate_level("polling_station", vx, vy)
            == reference(areas, "polling_station", np.array([vx]), np.array([vy]))[0]
        )


def test_single_level_index_and_other_resolutions(areas):
    quartiers = [a for a in areas if a.level == "neighbourhood"]
    index = AreaIndex.build(quartiers, coarse_res=8, fine_res=11)
    assert index.levels == ("neighbourhood",)
    lons, lats = _random_points(areas, 20_000, seed=11)
    _check_scalar(index, areas, lons, lats)
    assert set(index.locate(2.35, 48.86)) == {"neighbourhood"}
    assert index.locate_level("district", 2.35, 48.86) is None
    got = index.locate_many(lons, lats)["neighbourhood"]
    assert (got == reference(areas, "neighbourhood", lons, lats)).all()
    s = index.stats()
    assert s["levels"]["neighbourhood"]["areas"] == 80 and s["build_seconds"] > 0


def test_overlapping_areas_lowest_id_wins(areas):
    # Real Paris polygons, but a district (id 1) stacked with its own neighbourhoods as
    # one level, so the layer overlaps itself: the lowest id must win everywhere.
    d = areas[0]
    inside = [a for a in areas if a.level == "neighbourhood" and a.geom.intersects(d.geom)]
    stacked = [IndexedArea(a.id, "mixed", a.code, a.geom) for a in [d, *inside]]
    index = AreaIndex.build(stacked)
    lons, lats = _random_points([d], 20_000, seed=5)
    ref = reference(stacked, "mixed", lons, lats)
    got = [index.locate_level("mixed", x, y) for x, y in zip(lons.tolist(), lats.tolist())]
    assert [-1 if v is None else v for v in got] == ref.tolist()
    assert (ref == d.id).sum() > 1000


def test_grown_cell_polygons_hold_their_points(areas):
    # The premise of the classification: every point H3 assigns to a cell lies inside that
    # cell's planar lon/lat hexagon grown by _EPS (computed per resolution, never parents).
    lons, lats = _random_points(areas, 20_000, seed=9)
    for res in (9, 12):
        cells = np.array([h3i.latlng_to_cell(y, x, res) for x, y in zip(lons.tolist(), lats.tolist())], np.uint64)
        polys = _cell_polygons(cells)
        assert shapely.covers(polys, shapely.points(lons, lats)).all()


def test_index_from_its_blob_answers_like_the_built_one(index, areas):
    # The blob (stored in area_index_blobs) must give the very same answers, scalar and batch,
    # on points that reach the fine cells' exact tests.
    loaded = AreaIndex.from_blob(index.to_blob(), list(reversed(areas)))
    lons, lats = _random_points(areas, 20_000, seed=11)
    built, again = index.locate_many(lons, lats), loaded.locate_many(lons, lats)
    for level in index.levels:
        np.testing.assert_array_equal(built[level], again[level])
    for lon, lat in zip(lons[:3000].tolist(), lats[:3000].tolist()):
        assert loaded.locate(lon, lat) == index.locate(lon, lat)
        assert loaded.locate_level("polling_station", lon, lat) == index.locate_level("polling_station", lon, lat)


def test_a_blob_of_other_areas_is_refused(index, areas):
    with pytest.raises(ValueError):
        AreaIndex.from_blob(index.to_blob(), [a for a in areas if a.code != "4-99"])
    with pytest.raises(ValueError):
        AreaIndex.from_blob(index.to_blob(), [a for a in areas if a.level != "district"])
