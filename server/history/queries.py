"""History queries: PostGIS for what was recorded, the Redis state hash for what is live."""

from __future__ import annotations

import datetime as dt

import asyncpg
import orjson
import redis.asyncio as aioredis
from h3.api import basic_int as h3i

from server.events import DEFAULT_PREFIX, volunteer_state_key
from server.sql import sql

LIVE_CELL_RES = 11  # ingest's cell resolution (the "cell" field of a volunteer's state)


async def history_hexes(
    conn: asyncpg.Connection, campaign_id: int, since: dt.datetime, until: dt.datetime, res: int
) -> tuple[list[dict], bool]:
    """Hexes at `res` with pings in [since, until], oldest first visit first; and whether
    retired days (approximate volunteer counts) were folded in."""
    live = await conn.fetch(sql("history/cells"), campaign_id, since, until, res)
    retired = await conn.fetch(sql("history/retired_cells"), campaign_id, since, until, res)
    cells: dict[int, list] = {r["cell"]: [r["pings"], r["volunteers"], r["first"]] for r in live}
    for r in retired:
        acc = cells.get(r["cell"])
        if acc is None:
            cells[r["cell"]] = [r["pings"], r["volunteers"], r["first"]]
        else:
            acc[0] += r["pings"]
            acc[1] += r["volunteers"]
            acc[2] = min(acc[2], r["first"])
    hexes = [{"h3": format(c, "x"), "pings": p, "volunteers": v, "first": f} for c, (p, v, f) in cells.items()]
    hexes.sort(key=lambda h: (h["first"], h["h3"]))
    return hexes, bool(retired)


def live_rollup(states: list[dict], res: int, now_ms: float, stale_after_s: float) -> list[dict]:
    """Live (non-stale by server receive time) volunteers per parent cell at `res`."""
    limit = now_ms - stale_after_s * 1000.0
    counts: dict[int, int] = {}
    for st in states:
        try:
            if float(st.get("rt") or 0) < limit:
                continue
            cell = st.get("cell")
            c = int(cell, 16) if cell else h3i.latlng_to_cell(float(st["lat"]), float(st["lon"]), LIVE_CELL_RES)
            parent = h3i.cell_to_parent(c, res) if h3i.get_resolution(c) > res else c
        except (KeyError, TypeError, ValueError):
            continue  # a malformed state: skip it
        counts[parent] = counts.get(parent, 0) + 1
    return [{"h3": format(c, "x"), "pings": n, "volunteers": n} for c, n in sorted(counts.items())]


async def live_hexes(
    redis: aioredis.Redis, campaign_id: int, res: int, now_ms: float, stale_after_s: float, prefix: str = DEFAULT_PREFIX
) -> list[dict]:
    raw = await redis.hgetall(volunteer_state_key(campaign_id, prefix))
    states = []
    for value in raw.values():
        try:
            obj = orjson.loads(value)
        except orjson.JSONDecodeError:
            continue
        if isinstance(obj, dict):
            states.append(obj)
    return live_rollup(states, res, now_ms, stale_after_s)


async def replay(
    conn: asyncpg.Connection, campaign_id: int, since: dt.datetime, until: dt.datetime, step_s: float
) -> dict:
    rows = await conn.fetch(sql("history/replay"), campaign_id, since, until, step_s)
    ids = [r["volunteer_id"] for r in rows]
    teams = (
        {r["volunteer_id"]: r["team_id"] for r in await conn.fetch(sql("history/teams"), campaign_id, ids)}
        if ids
        else {}
    )
    return {
        "t0": since.timestamp(),
        "since": since.isoformat(),
        "until": until.isoformat(),
        "step_s": step_s,
        "points": sum(len(r["t"]) for r in rows),
        "volunteers": {
            str(r["volunteer_id"]): {
                "team": teams.get(r["volunteer_id"]),
                "t": r["t"],
                "lon": r["lon"],
                "lat": r["lat"],
            }
            for r in rows
        },
    }
