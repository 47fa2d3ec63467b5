"""Bytes of one level's area geometry, three ways, to choose how HQ should get its shapes.

    python -m bench.area_bytes [--campaign paris] [--level polling_station]

On a campaign already imported in QUADRILLER_DATABASE_URL (`quadriller demo setup` for Paris),
prints ONE JSON line, every size raw and brotli-compressed (quality 5, as the API sends):
  geojson          the geometry as the API sends it today (ST_AsGeoJSON, 6 decimals)
  coverage_<m>m    simplified as one coverage (shapely.coverage_simplify: neighbours keep sharing
                   their edges), 5 decimals (~1 m), for tolerances of 5, 20 and 50 m
  mvt_z<z>         Mapbox vector tiles from PostGIS (ST_AsMVT, extent 4096) covering the level at
                   zooms 11, 12 and 14, geometry and code only
  whole_answer     the level's full GeoJSON answer (geometry + figures), for scale
  map_answer, figures_answer   its `?fields=map` (first draw) and `?fields=figures` parts
"""

from __future__ import annotations

import argparse
import asyncio
import math
import sys

import brotli
import numpy as np
import orjson
import shapely

from server.areas import queries
from server.db import connect
from server.settings import Settings

TILE_SQL = """
WITH t AS (SELECT ST_TileEnvelope($2, $3, $4) AS e),
m AS (SELECT a.code, ST_AsMVTGeom(ST_Transform(a.geom_display, 3857), t.e) AS geom
      FROM areas a, t
      WHERE a.campaign_id = $1 AND a.level = $5 AND ST_Transform(a.geom_display, 3857) && t.e)
SELECT ST_AsMVT(m, 'areas', 4096, 'geom') FROM m
"""


def _tile(lon: float, lat: float, z: int) -> tuple[int, int]:
    n = 2**z
    y = (1 - math.asinh(math.tan(math.radians(lat))) / math.pi) / 2 * n
    return int((lon + 180) / 360 * n), int(y)


def _sizes(body: bytes) -> dict:
    return {"bytes": len(body), "brotli": len(brotli.compress(body, quality=5))}


async def measure(database_url: str, slug: str, level: str) -> dict:
    conn = await connect(database_url)
    try:
        cid = await conn.fetchval("SELECT id FROM campaigns WHERE slug = $1", slug)
        if cid is None:
            raise SystemExit(f"no campaign {slug!r} (quadriller demo setup imports Paris)")
        rows = await conn.fetch(
            "SELECT ST_AsGeoJSON(geom_display, 6) AS g FROM areas WHERE campaign_id = $1 AND level = $2 ORDER BY code",
            cid,
            level,
        )
        out: dict = {"campaign": slug, "level": level, "areas": len(rows)}
        geoms = shapely.from_geojson([r["g"] for r in rows])
        out["vertices"] = int(shapely.get_num_coordinates(geoms).sum())
        out["geojson"] = _sizes(b"[" + b",".join(r["g"].encode() for r in rows) + b"]")
        for metres in (5, 20, 50):
            simple = shapely.coverage_simplify(geoms, metres / 111_320)
            rounded = shapely.transform(simple, lambda xy: np.round(xy, 5))
            body = b"[" + b",".join(shapely.to_geojson(g).encode() for g in rounded) + b"]"
            out[f"coverage_{metres}m"] = {**_sizes(body), "vertices": int(shapely.get_num_coordinates(simple).sum())}
        minx, miny, maxx, maxy = shapely.total_bounds(geoms)
        for z in (11, 12, 14):
            x0, y1 = _tile(minx, miny, z)
            x1, y0 = _tile(maxx, maxy, z)
            raw = compressed = tiles = 0
            for x in range(x0, x1 + 1):
                for y in range(y0, y1 + 1):
                    tile = await conn.fetchval(TILE_SQL, cid, z, x, y, level)
                    if tile:
                        s = _sizes(tile)
                        raw, compressed, tiles = raw + s["bytes"], compressed + s["brotli"], tiles + 1
            out[f"mvt_z{z}"] = {"bytes": raw, "brotli": compressed, "tiles": tiles}
        out["whole_answer"] = _sizes(await queries.level_geojson(conn, cid, level))
        for fields in ("map", "figures"):  # the two parts HQ asks for (?fields=)
            out[f"{fields}_answer"] = _sizes(await queries.level_geojson(conn, cid, level, fields=fields))
        return out
    finally:
        await conn.close()


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--campaign", default="paris")
    ap.add_argument("--level", default="polling_station")
    args = ap.parse_args(argv)
    result = asyncio.run(measure(Settings().database_url, args.campaign, args.level))
    print(orjson.dumps(result).decode(), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
