"""Door outcome rows: store (idempotent by client_id), list, and count."""

from __future__ import annotations

import datetime as dt

import asyncpg

from server.doors.schemas import DoorOutcome, NewOutcome, StationCoverage
from server.idempotent import insert_once
from server.sql import sql


async def door(conn: asyncpg.Connection, campaign_id: int, address_id: int) -> asyncpg.Record | None:
    return await conn.fetchrow(sql("doors/address"), campaign_id, address_id)


async def insert(
    conn: asyncpg.Connection,
    campaign_id: int,
    user_id: int,
    door_row: asyncpg.Record,
    team: int | None,
    shift: int | None,
    body: NewOutcome,
    visited_at: dt.datetime,
) -> tuple[int, bool]:
    """(outcome id, whether it was stored now)."""
    return await insert_once(
        conn,
        "doors",
        campaign_id,
        user_id,
        body.client_id,
        campaign_id,
        door_row["id"],
        door_row["area_id"],
        user_id,
        team,
        shift,
        body.outcome,
        body.client_id,
        visited_at,
    )


async def listing(
    conn: asyncpg.Connection,
    campaign_id: int,
    since: dt.datetime,
    until: dt.datetime,
    station: str | None,
    volunteer: int | None,
    limit: int,
    outcome_id: int | None = None,
) -> list[DoorOutcome]:
    rows = await conn.fetch(sql("doors/list"), campaign_id, since, until, station, volunteer, limit, outcome_id)
    return [
        DoorOutcome(
            id=r["id"],
            address=r["address_id"],
            label=r["label"],
            station=r["station"],
            volunteer=r["user_id"],
            team=r["team_id"],
            shift=r["shift_id"],
            outcome=r["outcome"],
            visited_at=r["visited_at"],
        )
        for r in rows
    ]


async def one(conn: asyncpg.Connection, campaign_id: int, outcome_id: int) -> DoorOutcome:
    everything = (dt.datetime.min.replace(tzinfo=dt.UTC), dt.datetime.max.replace(tzinfo=dt.UTC))
    return (await listing(conn, campaign_id, *everything, None, None, 1, outcome_id))[0]


async def latest_in_station(
    conn: asyncpg.Connection, campaign_id: int, station: str, since: dt.datetime
) -> dict[int, str]:
    """address id -> its latest outcome since `since`."""
    rows = await conn.fetch(sql("doors/latest_in_station"), campaign_id, station, since)
    return {r["address_id"]: r["outcome"] for r in rows}


async def outcomes_of_user(
    conn: asyncpg.Connection, campaign_id: int, user_id: int, since: dt.datetime, until: dt.datetime
) -> list[str]:
    return [r["outcome"] for r in await conn.fetch(sql("doors/outcomes_of_user"), campaign_id, user_id, since, until)]


async def coverage(
    conn: asyncpg.Connection, campaign_id: int, since: dt.datetime, until: dt.datetime
) -> list[StationCoverage]:
    out = []
    for r in await conn.fetch(sql("doors/coverage"), campaign_id, since, until):
        doors = r["doors"] if r["station"] is not None else None
        out.append(
            StationCoverage(
                station=r["station"],
                doors=doors,
                knocked=r["knocked"],
                opened=r["opened"],
                refused=r["refused"],
                contacts=r["contacts"],
                share_knocked=round(r["knocked"] / doors, 4) if doors else None,
            )
        )
    return out


async def finished_turfs(
    conn: asyncpg.Connection, campaign_id: int, address_id: int | None = None, outcome_id: int | None = None
) -> list[asyncpg.Record]:
    """Teams whose assigned turf has an outcome at every door since they were sent: team_id,
    team_name, turf_id, number, station. With `address_id` and `outcome_id`, only the turfs that
    this outcome finished (its door had none other since)."""
    return await conn.fetch(sql("doors/finished_turfs"), campaign_id, address_id, outcome_id)
