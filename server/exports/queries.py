"""What an export reads from PostGIS: areas with result figures, volunteers at a time, coverage."""

from __future__ import annotations

from datetime import datetime

import asyncpg
import orjson

from server.areas.queries import latest_election, level_geojson
from server.sql import sql


async def area_layers(conn: asyncpg.Connection, campaign_id: int) -> tuple[dict, dict, str | None]:
    """Polling stations (with the latest election's figures) and districts, as GeoJSON dicts."""
    election = await latest_election(conn, campaign_id)
    stations = orjson.loads(await level_geojson(conn, campaign_id, "polling_station", election=election))
    districts = orjson.loads(await level_geojson(conn, campaign_id, "district", election=election))
    return stations, districts, election


async def volunteers_at(
    conn: asyncpg.Connection, campaign_id: int, at: datetime, stale_after_s: float
) -> list[asyncpg.Record]:
    return await conn.fetch(sql("exports/volunteers_at"), campaign_id, at, float(stale_after_s))


async def coverage_cells(
    conn: asyncpg.Connection, campaign_id: int, since: datetime, until: datetime
) -> list[asyncpg.Record]:
    return await conn.fetch(sql("exports/coverage_cells"), campaign_id, since, until)


async def extent(conn: asyncpg.Connection, campaign_id: int) -> tuple[float, float, float, float] | None:
    row = await conn.fetchrow(sql("exports/extent"), campaign_id)
    return (row["west"], row["south"], row["east"], row["north"]) if row else None
