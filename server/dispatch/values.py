"""The value of each target, for dispatch: the one function a value model fills.

Today the value is the priorities ranking's (server/priorities/ranking.py): a station's
abstainers discounted by the volunteers who already canvassed it today, times the share of its
doors not knocked yet where the campaign has its addresses (so a station half done is worth half).
A station cut into turfs can take one team per turf.
A station counts as covered, and is not suggested, when `covered_at` of its doors were knocked,
or, with no addresses, once anyone canvassed it today. Targeting (a per-station score for the
campaign's chosen target) replaces this function's value, not the solver.
"""
from __future__ import annotations

import asyncpg

from server.areas.queries import latest_election
from server.dispatch.suggest import TargetValue
from server.priorities.queries import ranked_stations
from server.sql import sql
from server.timewindow import window


async def station_values(conn: asyncpg.Connection, campaign_id: int, taken: dict[str, int],
                         covered_at: float) -> list[TargetValue]:
    """Every station worth a visit, with its remaining value; `taken`: teams assigned there now."""
    lo, hi = window(None, None)  # canvassed today counts as done
    election = await latest_election(conn, campaign_id)
    stations = await ranked_stations(conn, campaign_id, election, lo, hi, None)
    context = {r["code"]: r for r in await conn.fetch(sql("dispatch/station_context"), campaign_id)}
    # a station cut into turfs can take a team per turf
    turfs = {r["code"]: r["turfs"] for r in await conn.fetch(sql("turfs/counts"), campaign_id)}
    out = []
    for s in stations:
        if s.score is None:
            continue
        ctx = context.get(s.code)
        doors = ctx["doors"] if ctx else 0
        covered = min(1.0, s.visits.doors_knocked / doors) if doors else None
        if (covered is not None and covered >= covered_at) or (covered is None and s.visits.volunteers > 0):
            continue
        value = s.score * (1 - covered) if covered is not None else s.score
        out.append(TargetValue(code=s.code, name=s.name, lon=s.lon, lat=s.lat, value=value, rank=s.rank,
                               covered=covered, district=ctx["district"] if ctx else None,
                               capacity=turfs.get(s.code, 1), taken=taken.get(s.code, 0), reasons=s.reasons))
    return out
