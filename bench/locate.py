"""Point-to-area lookup: the in-memory H3 index against one PostGIS query per point.

    python -m bench.locate [--campaign SLUG] [--points 100000] [--postgis-sample 5000]

Uses QUADRILLER_DATABASE_URL. Without --campaign it imports Paris from data/paris into a
throw-away campaign and removes it afterwards. Prints one JSON line.
"""

from __future__ import annotations

import argparse
import asyncio
import platform
import sys
import time
import uuid

import numpy as np
import orjson

from server.areas.index import AreaIndex, IndexedArea
from server.db import connect
from server.settings import Settings
from server.sql import sql

LEVELS = ("district", "neighbourhood", "polling_station")


async def _campaign(conn, slug: str | None) -> tuple[int, bool]:
    if slug:
        row = await conn.fetchrow(sql("campaigns/by_slug"), slug)
        if row is None:
            sys.exit(f"no campaign {slug!r}")
        return row["id"], False
    from server.campaigns.queries import create_campaign
    from server.demo import import_city

    row = await create_campaign(conn, "bench-" + uuid.uuid4().hex[:8], "bench.locate")
    await import_city(conn, row["id"])
    return row["id"], True


async def run(args) -> dict:
    conn = await connect(Settings().database_url)
    campaign_id, temporary = await _campaign(conn, args.campaign)
    try:
        rows = await conn.fetch(sql("areas/for_index"), campaign_id)
        t0 = time.perf_counter()
        areas = [IndexedArea(r["id"], r["level"], r["code"], r["geom"]) for r in rows]
        index = AreaIndex.build(areas)
        build_s = time.perf_counter() - t0
        blob = index.to_blob()  # what area_index_blobs stores: every other process loads it
        t0 = time.perf_counter()
        AreaIndex.from_blob(blob, areas)
        load_s = time.perf_counter() - t0

        box = await conn.fetchrow(
            "SELECT ST_XMin(e) x0, ST_YMin(e) y0, ST_XMax(e) x1, ST_YMax(e) y1 "
            "FROM (SELECT ST_Extent(geom) e FROM areas WHERE campaign_id = $1) t",
            campaign_id,
        )
        rng = np.random.default_rng(args.seed)
        lons = rng.uniform(box["x0"], box["x1"], args.points)
        lats = rng.uniform(box["y0"], box["y1"], args.points)

        t0 = time.perf_counter()
        scalar = [index.locate(x, y) for x, y in zip(lons.tolist(), lats.tolist())]
        scalar_rate = args.points / (time.perf_counter() - t0)
        t0 = time.perf_counter()
        vectorised = index.locate_many(lons, lats)
        vector_rate = args.points / (time.perf_counter() - t0)

        # PostGIS, one query per point, as a per-ping lookup without the index would do it
        n = min(args.postgis_sample, args.points)
        stmt = sql("areas/locate")
        t0 = time.perf_counter()
        for x, y in zip(lons[:n].tolist(), lats[:n].tolist()):
            await conn.fetch(stmt, campaign_id, x, y)
        postgis_rate = n / (time.perf_counter() - t0)

        # agreement on every point, PostGIS' answers computed in one set-based query
        reference = await conn.fetch(
            """SELECT p.i, a.level, min(a.id) AS id
               FROM unnest($2::float8[], $3::float8[]) WITH ORDINALITY AS p(lon, lat, i)
               JOIN areas a ON a.campaign_id = $1
                AND ST_Covers(a.geom, ST_SetSRID(ST_MakePoint(p.lon, p.lat), 4326))
               GROUP BY p.i, a.level""",
            campaign_id,
            lons.tolist(),
            lats.tolist(),
        )
        expected = {lvl: np.full(args.points, -1, dtype=np.int64) for lvl in LEVELS}
        for r in reference:
            expected[r["level"]][r["i"] - 1] = r["id"]
        present = [lvl for lvl in LEVELS if lvl in index.levels]
        agree = np.ones(args.points, dtype=bool)
        for lvl in present:
            agree &= vectorised[lvl] == expected[lvl]
            agree &= np.array([s[lvl] if s[lvl] is not None else -1 for s in scalar]) == expected[lvl]
        return {
            "bench": "locate",
            "machine": f"{platform.machine()} {platform.node()}",
            "areas": len(rows),
            "points": args.points,
            "index_build_s": round(build_s, 3),
            "index_load_s": round(load_s, 3),
            "index_blob_bytes": len(blob),
            "index_points_per_s": round(scalar_rate),
            "index_vectorised_points_per_s": round(vector_rate),
            "postgis_points_per_s": round(postgis_rate),
            "postgis_sample": n,
            "speedup": round(scalar_rate / postgis_rate, 1),
            "speedup_vectorised": round(vector_rate / postgis_rate, 1),
            "agreement": float(agree.mean()),
            "disagreements": int((~agree).sum()),
            "index_stats": index.stats(),
        }
    finally:
        if temporary:
            await conn.execute("DELETE FROM campaigns WHERE id = $1", campaign_id)
        await conn.close()


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--campaign")
    p.add_argument("--points", type=int, default=100_000)
    p.add_argument("--postgis-sample", type=int, default=5_000)
    p.add_argument("--seed", type=int, default=1)
    print(orjson.dumps(asyncio.run(run(p.parse_args())), default=str).decode())


if __name__ == "__main__":
    main()
