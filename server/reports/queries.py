"""Tour report rows: store (idempotent by client_id), list and sum."""

from __future__ import annotations

import datetime as dt

import asyncpg

from server.pings import queries as ping_queries
from server.reports.schemas import NewReport, Report, StationTotals
from server.shifts.queries import CLOCK_SLACK_S
from server.idempotent import insert_once
from server.sql import sql

SHIFT_REPORT_HOURS = 12  # a report written within this long after a shift is about that shift


async def station(
    conn: asyncpg.Connection, campaign_id: int, code: str | None = None, area_id: int | None = None
) -> asyncpg.Record | None:
    return await conn.fetchrow(sql("reports/station"), campaign_id, code, area_id)


async def where_and_when(
    conn: asyncpg.Connection, campaign_id: int, user_id: int, given: asyncpg.Record | None
) -> tuple[int | None, int | None, asyncpg.Record | None, str | None]:
    """(shift id, team id, station row, how the station was chosen) for a new report. The
    station named by the volunteer wins; else where most of the shift's pings fell (what they
    did); else the team's assignment (what they were asked to do)."""
    shift = await conn.fetchrow(sql("reports/recent_shift"), campaign_id, user_id, SHIFT_REPORT_HOURS)
    team, assigned_area = await ping_queries.volunteer_assignment(conn, campaign_id, user_id)
    if given is not None:
        return (shift["id"] if shift else None), team, given, "given"
    if shift is not None:
        area = await conn.fetchval(
            sql("reports/station_of_pings"),
            campaign_id,
            user_id,
            shift["started_at"] - dt.timedelta(seconds=CLOCK_SLACK_S),
            shift["ended_at"],
        )
        if area is not None:
            return shift["id"], team, await station(conn, campaign_id, area_id=area), "pings"
    if assigned_area is not None:
        return (
            (shift["id"] if shift else None),
            team,
            await station(conn, campaign_id, area_id=assigned_area),
            "assignment",
        )
    return (shift["id"] if shift else None), team, None, None


async def insert(
    conn: asyncpg.Connection,
    campaign_id: int,
    user_id: int,
    shift: int | None,
    team: int | None,
    area: int | None,
    source: str | None,
    body: NewReport,
) -> tuple[int, bool]:
    """(report id, whether it was stored now)."""
    return await insert_once(
        conn,
        "reports",
        campaign_id,
        user_id,
        body.client_id,
        campaign_id,
        user_id,
        shift,
        team,
        area,
        source,
        body.client_id,
        body.doors_knocked,
        body.doors_opened,
        body.contacts,
        body.tags,
    )


async def listing(
    conn: asyncpg.Connection,
    campaign_id: int,
    since: dt.datetime,
    until: dt.datetime,
    station_code: str | None,
    volunteer: int | None,
    limit: int,
) -> list[Report]:
    rows = await conn.fetch(sql("reports/list"), campaign_id, since, until, station_code, volunteer, limit, None)
    return [_report(r) for r in rows]


async def one(conn: asyncpg.Connection, campaign_id: int, report_id: int) -> Report:
    rows = await conn.fetch(
        sql("reports/list"),
        campaign_id,
        dt.datetime.min.replace(tzinfo=dt.UTC),
        dt.datetime.max.replace(tzinfo=dt.UTC),
        None,
        None,
        1,
        report_id,
    )
    return _report(rows[0])


async def totals(
    conn: asyncpg.Connection, campaign_id: int, since: dt.datetime, until: dt.datetime
) -> list[StationTotals]:
    return [
        StationTotals(
            station=r["station"],
            reports=r["reports"],
            volunteers=r["volunteers"],
            doors_knocked=r["doors_knocked"],
            doors_opened=r["doors_opened"],
            contacts=r["contacts"],
        )
        for r in await conn.fetch(sql("reports/totals"), campaign_id, since, until)
    ]


def _report(r: asyncpg.Record) -> Report:
    return Report(
        id=r["id"],
        volunteer=r["user_id"],
        name=r["name"],
        shift=r["shift_id"],
        team=r["team_id"],
        station=r["station"],
        station_name=r["station_name"],
        station_source=r["area_source"],
        doors_knocked=r["doors_knocked"],
        doors_opened=r["doors_opened"],
        contacts=r["contacts"],
        tags=list(r["tags"]),
        created_at=r["created_at"],
    )


async def volunteers_reporting(
    conn: asyncpg.Connection, campaign_id: int, since: dt.datetime, until: dt.datetime
) -> int:
    return await conn.fetchval(sql("reports/volunteers"), campaign_id, since, until)
