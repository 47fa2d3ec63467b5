"""Canvassing as stored: pings inside a polling station, written as ingest writes them."""

from __future__ import annotations

import datetime as dt
import itertools

from h3.api import basic_int as h3i

from server.pings import queries as pings

_seq = itertools.count(1)


async def canvass(pool, campaign_id: int, code: str, volunteers: list[int], at: dt.datetime) -> None:
    """Pings inside station `code` (at its polling place), stored as ingest stores them."""
    async with pool.acquire() as c:
        ps, lon, lat = await c.fetchrow(
            "SELECT id, ST_X(ST_PointOnSurface(geom)), ST_Y(ST_PointOnSurface(geom)) FROM areas "
            "WHERE campaign_id = $1 AND level = 'polling_station' AND code = $2",
            campaign_id,
            code,
        )
        cols: list[list] = [[] for _ in pings.INSERT_COLUMNS]
        for i, v in enumerate(volunteers):
            t = at.timestamp() + i
            values = (
                campaign_id,
                v,
                "ws",
                next(_seq),
                t,
                t * 1000,
                lon,
                lat,
                6.0,
                None,
                None,
                None,
                None,
                h3i.latlng_to_cell(lat, lon, 11),
                ps,
                None,
                None,
                False,
            )
            for col, value in zip(cols, values):
                col.append(value)
        await pings.ensure_partitions(c, at.date(), at.date())
        await pings.insert_many(c, cols)
