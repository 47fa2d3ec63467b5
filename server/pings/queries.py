"""Ping storage queries. Columns travel as arrays so that a batch is one round trip."""

from __future__ import annotations

import datetime as dt

import asyncpg

from server.sql import sql

# Column order of pings/insert_many (and the columns of pings/stage): the writer builds rows in
# exactly this order.
INSERT_COLUMNS = (
    "campaign_id",
    "volunteer_id",
    "source",
    "seq",
    "t",
    "rt_ms",
    "lon",
    "lat",
    "acc",
    "alt",
    "spd",
    "hdg",
    "bat",
    "cell",
    "polling_station_id",
    "neighbourhood_id",
    "district_id",
    "low_accuracy",
)


# From this many rows a batch goes by binary COPY through a staging table (pings/stage.sql)
# rather than as 18 arrays: asyncpg encodes array parameters element by element with an ABC
# check each (3.2-4.3 µs of the ingest's CPU per row), a COPY's records field by field (0.8-1.3
# µs), while PostgreSQL's CPU stays about the same. Below it, the COPY's extra round trips and
# the staging table's reset cost more than they save: at 100 rows PostgreSQL spent 12 µs per row
# against 8 (docs/benchmarks.md, "Ingest", the staged COPY).
COPY_MIN_ROWS = 500


async def insert_many(conn: asyncpg.Connection, columns: list[list], timeout: float | None = None) -> str:
    """Insert rows given column-wise (INSERT_COLUMNS order); duplicates are skipped."""
    if len(columns[0]) < COPY_MIN_ROWS:
        return await conn.execute(sql("pings/insert_many"), *columns, timeout=timeout)
    async with conn.transaction():
        await conn.execute(sql("pings/stage"), timeout=timeout)
        await conn.copy_records_to_table("ping_stage", records=zip(*columns), columns=INSERT_COLUMNS, timeout=timeout)
        return await conn.execute(sql("pings/insert_staged"), timeout=timeout)


async def ensure_partitions(conn: asyncpg.Connection, first: dt.date, last: dt.date) -> int:
    return await conn.fetchval(sql("pings/ensure_partitions"), first, last)


async def retire(conn: asyncpg.Connection, cutoff: dt.datetime) -> int:
    """Aggregate into ping_cell_days, then drop, every day partition wholly before `cutoff`."""
    return await conn.fetchval(sql("pings/retire"), cutoff)


async def volunteer_assignment(
    conn: asyncpg.Connection, campaign_id: int, user_id: int
) -> tuple[int | None, int | None]:
    row = await conn.fetchrow(sql("pings/volunteer_assignment"), campaign_id, user_id)
    return (row["team_id"], row["area_id"]) if row else (None, None)


async def volunteer_assignments(
    conn: asyncpg.Connection, campaign_id: int, user_ids: list[int]
) -> dict[int, tuple[int | None, int | None]]:
    """user id -> (team, area) for those with a team; the others have (None, None)."""
    rows = await conn.fetch(sql("pings/volunteer_assignments"), campaign_id, user_ids)
    return {r["user_id"]: (r["team_id"], r["area_id"]) for r in rows}


async def area_codes(conn: asyncpg.Connection, campaign_id: int) -> dict[int, str]:
    return {r["id"]: r["code"] for r in await conn.fetch(sql("pings/area_codes"), campaign_id)}


async def trail(
    conn: asyncpg.Connection, campaign_id: int, volunteer_id: int, start: dt.datetime, end: dt.datetime
) -> list[asyncpg.Record]:
    return await conn.fetch(sql("pings/trail"), campaign_id, volunteer_id, start, end)
