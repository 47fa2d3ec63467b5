"""The per-station inputs of the targeting score, fast enough to re-rank live: what does not change
while a campaign canvasses (names, results, a point inside each station) is read once per
(campaign, election) and kept in this process; only the visits in the time window are read on
every call.

The cache is checked on every call against a cheap version query (statics_version.sql: counts, the
last station id and the results' import time), so a re-import of stations or results is seen at
once, by every process, without any message between them.
"""

from __future__ import annotations

import datetime as dt
from collections import OrderedDict

import asyncpg

from server.sql import sql

_KEPT = 32  # (campaign, election) pairs; each is about 1 MB for a city of 900 stations
_statics: OrderedDict[tuple[int, str], tuple[tuple, list[dict]]] = OrderedDict()


async def _static_rows(conn: asyncpg.Connection, campaign_id: int, election: str) -> list[dict]:
    key = (campaign_id, election)
    version = tuple(await conn.fetchrow(sql("targeting/statics_version"), campaign_id, election))
    hit = _statics.get(key)
    if hit is not None and hit[0] == version:
        _statics.move_to_end(key)
        return hit[1]
    rows = [dict(r) for r in await conn.fetch(sql("targeting/station_statics"), campaign_id, election)]
    _statics[key] = (version, rows)
    while len(_statics) > _KEPT:
        _statics.popitem(last=False)
    return rows


async def station_rows(
    conn: asyncpg.Connection, campaign_id: int, election: str, lo: dt.datetime, hi: dt.datetime
) -> list[dict]:
    """Every polling station with its results in `election` and its visits in [lo, hi): the
    columns of priorities/stations.sql the score reads (fresh dicts: callers may change them)."""
    visits = {r["id"]: r for r in await conn.fetch(sql("targeting/station_visits"), campaign_id, lo, hi)}
    out = []
    for row in await _static_rows(conn, campaign_id, election):
        v = visits.get(row["id"])
        out.append({**row, "volunteers": v["volunteers"] if v else 0, "doors_knocked": v["doors_knocked"] if v else 0})
    return out


def forget() -> None:
    """Empty the cache (the benchmark's cold runs)."""
    _statics.clear()
