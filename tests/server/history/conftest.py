"""Helpers for the history tests: real Paris points, pings inserted through the ingest writer's
own statement (server/sql/pings/insert_many.sql) into the real day partitions."""

from __future__ import annotations

import datetime as dt
import itertools
import json

from h3.api import basic_int as h3i

from server.pings import queries as pings
from server.settings import PROJECT_ROOT

_seq = itertools.count(1)


def station_points() -> dict[str, tuple[float, float]]:
    """Polling places (lon, lat) by station code, from the Paris open data."""
    path = PROJECT_ROOT / "data" / "paris" / "paris_bureaux_vote_lieux_2024.geojson"
    fc = json.loads(path.read_text(encoding="utf-8"))
    return {f["properties"]["id_bv"]: tuple(f["geometry"]["coordinates"]) for f in fc["features"]}


def day_of(t: float) -> dt.date:
    return dt.datetime.fromtimestamp(t, dt.timezone.utc).date()


async def insert_pings(pool, campaign_id: int, rows: list[tuple]) -> None:
    """rows: (volunteer_id, t epoch s, lon, lat[, low_accuracy]); ensures the day partitions."""
    cols: list[list] = [[] for _ in pings.INSERT_COLUMNS]
    for row in rows:
        v, t, lon, lat = row[:4]
        low = row[4] if len(row) > 4 else False
        values = (
            campaign_id,
            v,
            "ws",
            next(_seq),
            t,
            t * 1000 + 150,
            lon,
            lat,
            150.0 if low else 6.0,
            None,
            None,
            None,
            None,
            h3i.latlng_to_cell(lat, lon, 11),
            None,
            None,
            None,
            low,
        )
        for col, value in zip(cols, values):
            col.append(value)
    async with pool.acquire() as c:
        await pings.ensure_partitions(c, min(day_of(r[1]) for r in rows), max(day_of(r[1]) for r in rows))
        await pings.insert_many(c, cols)


async def user_id(pool, login: str) -> int:
    async with pool.acquire() as c:
        return await c.fetchval("SELECT id FROM users WHERE login = $1", login)
