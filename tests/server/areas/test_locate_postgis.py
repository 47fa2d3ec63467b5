"""The in-memory H3 index agrees with PostGIS ST_Covers on random points across Paris."""

from __future__ import annotations

import numpy as np

from server.areas.index_cache import load_index

LEVELS = ("district", "neighbourhood", "polling_station")


async def test_index_agrees_with_st_covers(paris, pool, conn):
    # The index as every process gets it: built by AreaIndex.build when Paris was imported, stored,
    # and read back from its blob (building it again here took 31 s of the suite; test_index.py
    # tests the build itself against shapely).
    _, index = await load_index(pool, paris["id"])
    rng = np.random.default_rng(7)
    n = 20_000
    lons = rng.uniform(2.22, 2.48, n)
    lats = rng.uniform(48.81, 48.91, n)
    # one set-based query computes PostGIS' answer for every point at once
    reference = await conn.fetch(
        """SELECT p.i, a.level, min(a.id) AS id
           FROM unnest($2::float8[], $3::float8[]) WITH ORDINALITY AS p(lon, lat, i)
           JOIN areas a ON a.campaign_id = $1 AND ST_Covers(a.geom, ST_SetSRID(ST_MakePoint(p.lon, p.lat), 4326))
           GROUP BY p.i, a.level""",
        paris["id"],
        lons.tolist(),
        lats.tolist(),
    )
    expected = {lvl: np.full(n, -1, dtype=np.int64) for lvl in LEVELS}
    for r in reference:
        expected[r["level"]][r["i"] - 1] = r["id"]
    got = index.locate_many(lons, lats)
    for lvl in LEVELS:
        assert (got[lvl] == expected[lvl]).all(), f"{lvl}: {(got[lvl] != expected[lvl]).sum()} disagreements"
    # and the points really exercise all cases: inside, outside, every level
    assert (expected["polling_station"] == -1).sum() > 100
    assert len(set(expected["polling_station"].tolist())) > 800


async def test_locate_api_matches_postgis(paris, client, pool):
    from server.areas.queries import locate_exact
    from tests.conftest import add_user, bearer

    user = await add_user(pool, paris["slug"], "volunteer")
    for lon, lat in [(2.35, 48.86), (2.2950, 48.8738), (2.25, 48.86), (2.40, 48.83), (4.83, 45.76)]:
        r = await client.get(
            f"/api/campaigns/{paris['slug']}/locate", params={"lon": lon, "lat": lat}, headers=bearer(user["token"])
        )
        assert r.status_code == 200, r.text
        async with pool.acquire() as c:
            exact = (await locate_exact(c, paris["id"], lon, lat)).model_dump()
        assert r.json() == exact
