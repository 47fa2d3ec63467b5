"""Shift rows: open, end, and read. Starting is idempotent (one open shift per volunteer)."""

from __future__ import annotations

import datetime as dt

import asyncpg

from server.shifts.schemas import OnShift, Shift
from server.sql import sql

# A fix taken up to this long before the shift started still belongs to it: the phone's clock
# may differ from the server's, and a browser hands over a fix it took just before "Start".
# Ingest accepts such fixes (ingest/duty.py); reports count them as the shift's (server/reports).
CLOCK_SLACK_S = 60.0


def _shift(row: asyncpg.Record) -> Shift:
    return Shift(
        id=row["id"],
        volunteer=row["user_id"],
        started_at=row["started_at"],
        ended_at=row["ended_at"],
        ended_by=row["ended_by"],
        name=row["name"] if "name" in row.keys() else None,
    )


async def start(conn: asyncpg.Connection, campaign_id: int, user_id: int, max_hours: float) -> tuple[Shift, bool]:
    """(the open shift, whether it was opened now). An expired open shift is closed first."""
    async with conn.transaction():
        await conn.execute(sql("shifts/close_expired"), campaign_id, user_id, max_hours)
        row = await conn.fetchrow(sql("shifts/insert"), campaign_id, user_id)
        if row is not None:
            return _shift(row), True
        # Opened concurrently (another phone, a retried request): that one is the shift.
        row = await conn.fetchrow(sql("shifts/open_of_user"), campaign_id, user_id, max_hours)
    if row is None:  # pragma: no cover - ended between the two statements; try once more
        return await start(conn, campaign_id, user_id, max_hours)
    return _shift(row), False


async def open_of_user(conn: asyncpg.Connection, campaign_id: int, user_id: int, max_hours: float) -> Shift | None:
    row = await conn.fetchrow(sql("shifts/open_of_user"), campaign_id, user_id, max_hours)
    return _shift(row) if row else None


async def open_of_users(
    conn: asyncpg.Connection, campaign_id: int, user_ids: list[int], max_hours: float
) -> dict[int, tuple[int, float]]:
    """user id -> (shift id, start as epoch seconds), for those on shift."""
    rows = await conn.fetch(sql("shifts/open_of_users"), campaign_id, user_ids, max_hours)
    return {r["user_id"]: (r["id"], r["started_at"].timestamp()) for r in rows}


async def on_shift(conn: asyncpg.Connection, campaign_id: int, max_hours: float) -> list[OnShift]:
    rows = await conn.fetch(sql("shifts/open_of_campaign"), campaign_id, max_hours)
    return [
        OnShift(id=r["id"], volunteer=r["user_id"], name=r["name"], team=r["team_id"], started_at=r["started_at"])
        for r in rows
    ]


async def end(conn: asyncpg.Connection, campaign_id: int, shift_id: int, by: str, max_hours: float) -> Shift | None:
    """The ended shift, or None when it was not open (already ended, or no such shift)."""
    row = await conn.fetchrow(sql("shifts/end"), campaign_id, shift_id, by, max_hours)
    return _shift(row) if row else None


async def time_out(conn: asyncpg.Connection, max_hours: float) -> list[tuple[int, Shift]]:
    """End every shift past its maximum length: (campaign id, ended shift) for each."""
    rows = await conn.fetch(sql("shifts/time_out"), max_hours)
    return [(r["campaign_id"], _shift(r)) for r in rows]


async def by_id(conn: asyncpg.Connection, campaign_id: int, shift_id: int) -> Shift | None:
    row = await conn.fetchrow(sql("shifts/by_id"), campaign_id, shift_id)
    return _shift(row) if row else None


async def retire(conn: asyncpg.Connection, cutoff: dt.datetime) -> int:
    """Delete shifts that ended before `cutoff` (the retention window); returns how many."""
    return await conn.fetchval(sql("shifts/retire"), cutoff)


async def listing(
    conn: asyncpg.Connection,
    campaign_id: int,
    since: dt.datetime,
    until: dt.datetime,
    volunteer: int | None,
    limit: int,
    max_hours: float,
) -> list[Shift]:
    rows = await conn.fetch(sql("shifts/list"), campaign_id, since, until, volunteer, limit, max_hours)
    return [_shift(r) for r in rows]
