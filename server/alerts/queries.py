"""Alerts in PostGIS: thresholds, raising (once per cause), clearing, acknowledging, SOS."""

from __future__ import annotations

import datetime as dt

import asyncpg

from server.alerts.schemas import Alert, AlertSettings
from server.sql import sql


def alert(r: asyncpg.Record) -> Alert:
    d = dict(r)
    return Alert(
        id=d["id"],
        volunteer=d["volunteer_id"],
        volunteer_name=d.get("volunteer_name"),
        team=d["team_id"],
        team_name=d.get("team_name"),
        kind=d["kind"],
        lon=d["lon"],
        lat=d["lat"],
        detail=d["detail"],
        raised_at=d["raised_at"],
        acked_by=d["acked_by"],
        acked_by_name=d.get("acked_by_name"),
        acked_at=d["acked_at"],
        cleared_at=d["cleared_at"],
        coordinator=d.get("coordinator"),
        coordinator_id=d.get("coordinator_id"),
    )


async def thresholds(conn: asyncpg.Connection, campaign_id: int) -> AlertSettings:
    row = await conn.fetchrow(sql("alerts/settings"), campaign_id)
    return AlertSettings(**dict(row)) if row else AlertSettings()


async def save_thresholds(conn: asyncpg.Connection, campaign_id: int, s: AlertSettings) -> AlertSettings:
    row = await conn.fetchrow(
        sql("alerts/save_settings"), campaign_id, s.out_of_zone_min, s.idle_min, s.stale_min, s.low_battery
    )
    return AlertSettings(**dict(row))


async def campaigns_on_shift(conn: asyncpg.Connection, max_hours: float) -> list[int]:
    return [r["campaign_id"] for r in await conn.fetch(sql("alerts/campaigns_on_shift"), max_hours)]


async def open_auto(conn: asyncpg.Connection, campaign_id: int) -> dict[tuple[int, str], int]:
    return {(r["volunteer_id"], r["kind"]): r["id"] for r in await conn.fetch(sql("alerts/open_auto"), campaign_id)}


async def raise_alert(
    conn: asyncpg.Connection,
    campaign_id: int,
    volunteer: int,
    kind: str,
    team: int | None,
    lon: float | None,
    lat: float | None,
    detail: str,
) -> Alert | None:
    row = await conn.fetchrow(sql("alerts/raise"), campaign_id, volunteer, kind, team, lon, lat, detail)
    return alert(row) if row else None


async def clear(conn: asyncpg.Connection, campaign_id: int, ids: list[int]) -> list[Alert]:
    return [alert(r) for r in await conn.fetch(sql("alerts/clear"), campaign_id, ids)]


async def sos(
    conn: asyncpg.Connection,
    campaign_id: int,
    volunteer: int,
    client_id: str,
    lon: float | None,
    lat: float | None,
    note: str,
) -> tuple[Alert, bool]:
    row = await conn.fetchrow(sql("alerts/sos"), campaign_id, volunteer, client_id, lon, lat, note)
    return alert(row), row["created"]


async def ack(conn: asyncpg.Connection, campaign_id: int, alert_id: int, user_id: int) -> Alert | None:
    row = await conn.fetchrow(sql("alerts/ack"), campaign_id, alert_id, user_id)
    return alert(row) if row else None


async def listing(
    conn: asyncpg.Connection,
    campaign_id: int,
    open_only: bool,
    since: dt.datetime,
    until: dt.datetime,
    coordinator: int | None = None,
) -> list[Alert]:
    """The campaign's alerts; with `coordinator` (a user id), only those of the teams they coordinate."""
    rows = await conn.fetch(sql("alerts/listing"), campaign_id, open_only, since, until, coordinator)
    return [alert(r) for r in rows]
