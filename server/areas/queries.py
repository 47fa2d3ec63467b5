from __future__ import annotations

import asyncpg

from server.areas import features
from server.areas.index import AreaIndex
from server.areas.schemas import AreaRef, Located
from server.sql import sql


async def latest_election(conn: asyncpg.Connection, campaign_id: int) -> str | None:
    return await conn.fetchval(sql("results/latest_election"), campaign_id)


async def level_geojson(
    conn: asyncpg.Connection,
    campaign_id: int,
    level: str,
    code: str | None = None,
    election: str | None = None,
    fields: str = "all",
) -> bytes:
    election = election or await latest_election(conn, campaign_id)
    rows = await conn.fetch(sql("areas/features"), campaign_id, level, code)
    results = {}
    if election is not None:
        results = {r["code"]: r for r in await conn.fetch(sql("results/of_election"), campaign_id, election)}
    parents = {}
    if level != "polling_station":
        parents = {
            (r["station_code"], r["level"]): r["parent_code"]
            for r in await conn.fetch(sql("areas/station_parents"), campaign_id)
        }
    return features.feature_collection(level, rows, results, parents, election, fields)


async def locate_exact(conn: asyncpg.Connection, campaign_id: int, lon: float, lat: float) -> Located:
    """PostGIS ST_Covers: the reference the in-memory index is checked against."""
    rows = await conn.fetch(sql("areas/locate"), campaign_id, lon, lat)
    found = {r["level"]: AreaRef(id=r["id"], code=r["code"], name=r["name"]) for r in rows}
    return Located(
        lon=lon, lat=lat, **{lvl: found.get(lvl) for lvl in ("polling_station", "neighbourhood", "district")}
    )


async def locate_indexed(conn: asyncpg.Connection, index: AreaIndex, lon: float, lat: float) -> Located:
    ids = {lvl: i for lvl, i in index.locate(lon, lat).items() if i is not None}
    refs = {}
    if ids:
        rows = await conn.fetch(sql("areas/by_ids"), list(ids.values()))
        refs = {r["level"]: AreaRef(id=r["id"], code=r["code"], name=r["name"]) for r in rows}
    return Located(lon=lon, lat=lat, **{lvl: refs.get(lvl) for lvl in ("polling_station", "neighbourhood", "district")})


async def level_counts(conn: asyncpg.Connection, campaign_id: int) -> dict[str, dict]:
    return {
        r["level"]: {"areas": r["n"], "repaired": r["repaired"]}
        for r in await conn.fetch(sql("areas/levels"), campaign_id)
    }
