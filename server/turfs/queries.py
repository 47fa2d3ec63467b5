"""Storing and reading turfs."""

from __future__ import annotations

import datetime as dt

import asyncpg

from server.addresses.queries import station_doors
from server.errors import InvalidInput, NotFound
from server.sql import sql
from server.turfs.cut import Turf, cut


async def cut_station(
    conn: asyncpg.Connection, campaign_id: int, code: str, size: int
) -> tuple[asyncpg.Record, list[Turf]]:
    """Cut station `code` into turfs of about `size` doors, replacing its turfs (one transaction)."""
    station = await conn.fetchrow(sql("turfs/station"), campaign_id, code)
    if station is None:
        raise NotFound(f"no polling station {code!r} in this campaign")
    doors = await station_doors(conn, campaign_id, code)
    if not doors:
        raise InvalidInput(
            f"polling station {code!r} has no addresses: import them first (quadriller addresses import)"
        )
    turfs = cut(doors, size)
    async with conn.transaction():
        await conn.execute(sql("turfs/delete_station"), campaign_id, station["id"])
        for t in turfs:
            await conn.fetchval(
                sql("turfs/insert"), campaign_id, station["id"], t.number, [d.id for d in t.doors], t.route_m, t.walk_m
            )
    return station, turfs


async def station_turfs(
    conn: asyncpg.Connection, campaign_id: int, code: str, since: dt.datetime, until: dt.datetime
) -> list[asyncpg.Record]:
    """The station's turfs, each with its door coverage (knocked, opened…) in [since, until)."""
    return await conn.fetch(sql("turfs/station_turfs"), campaign_id, code, since, until)


async def turf_doors(conn: asyncpg.Connection, campaign_id: int, turf_id: int) -> list[asyncpg.Record]:
    rows = await conn.fetch(sql("turfs/turf_doors"), campaign_id, turf_id)
    if not rows:
        raise NotFound(f"no turf {turf_id} in this campaign")
    return rows
