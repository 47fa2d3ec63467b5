"""Storing and reading turfs."""

from __future__ import annotations

import datetime as dt

import asyncpg
import shapely

from server.addresses.queries import station_doors
from server.errors import InvalidInput, NotFound
from server.sql import sql
from server.turfs.cells import CellTurf, cut_by_households
from server.turfs.cut import Turf, cut

# The layer turfs are cut from where a station has no addresses, unless another is named: the
# campaign's households, imported with its own field mapping (`quadriller layers import FILE
# --name households --value-field men` for INSEE's 200 m grid).
HOUSEHOLDS_LAYER = "households"


async def cut_station(
    conn: asyncpg.Connection, campaign_id: int, code: str, size: int, households: str | None = None
) -> tuple[asyncpg.Record, list[Turf] | list[CellTurf]]:
    """Cut station `code` into turfs of about `size` doors, replacing its turfs (one transaction).
    With no addresses in the station, or a `households` layer named, into turfs of about `size`
    households instead, from that layer (default HOUSEHOLDS_LAYER) over H3 cells."""
    station = await conn.fetchrow(sql("turfs/station"), campaign_id, code)
    if station is None:
        raise NotFound(f"no polling station {code!r} in this campaign")
    doors = await station_doors(conn, campaign_id, code) if households is None else []
    if not doors:
        return station, await _cut_by_households(conn, campaign_id, station, size, households or HOUSEHOLDS_LAYER)
    turfs = cut(doors, size)
    async with conn.transaction():
        await conn.execute(sql("turfs/delete_station"), campaign_id, station["id"])
        for t in turfs:
            await conn.fetchval(
                sql("turfs/insert"), campaign_id, station["id"], t.number, [d.id for d in t.doors], t.route_m, t.walk_m
            )
    return station, turfs


async def _cut_by_households(
    conn: asyncpg.Connection, campaign_id: int, station: asyncpg.Record, size: int, layer: str
) -> list[CellTurf]:
    code = station["code"]
    if await conn.fetchrow(sql("layers/by_name"), campaign_id, layer) is None:
        raise InvalidInput(
            f"polling station {code!r} has no addresses and the campaign no households layer {layer!r}: import "
            f"addresses (quadriller addresses import), or households (quadriller layers import FILE --name {layer} "
            "--value-field FIELD)"
        )
    shape = shapely.from_wkb(await conn.fetchval(sql("turfs/station_shape"), station["id"]))
    rows = await conn.fetch(sql("turfs/household_features"), campaign_id, layer, station["id"])
    turfs = cut_by_households(shape, [(shapely.from_wkb(r["geom"]), r["value"]) for r in rows], size)
    if not turfs:
        raise InvalidInput(f"polling station {code!r} has no households in layer {layer!r}")
    async with conn.transaction():
        await conn.execute(sql("turfs/delete_station"), campaign_id, station["id"])
        for t in turfs:
            await conn.fetchval(
                sql("turfs/insert_cells"),
                campaign_id,
                station["id"],
                t.number,
                [c.h3 for c in t.cells],
                t.route_m,
                t.walk_m,
                t.households,
            )
    return turfs


async def station_turfs(
    conn: asyncpg.Connection, campaign_id: int, code: str, since: dt.datetime, until: dt.datetime
) -> list[asyncpg.Record]:
    """The station's turfs, each with its door coverage (knocked, opened…) in [since, until)."""
    return await conn.fetch(sql("turfs/station_turfs"), campaign_id, code, since, until)


async def turf_doors(conn: asyncpg.Connection, campaign_id: int, turf_id: int) -> list[asyncpg.Record]:
    rows = await conn.fetch(sql("turfs/turf_doors"), campaign_id, turf_id)
    if not rows:
        if await conn.fetchval(sql("dispatch/turf"), campaign_id, turf_id) is not None:
            raise NotFound(f"turf {turf_id} was cut by households (no addresses): it has no doors to walk or list")
        raise NotFound(f"no turf {turf_id} in this campaign")
    return rows
