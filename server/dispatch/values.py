"""The value of each target, for dispatch: the one function a value model fills.

Today the value is the priorities ranking's (server/priorities/ranking.py): a station's
abstainers discounted by the volunteers who already canvassed it today, times the share of its
doors not knocked yet where the campaign has its addresses (so a station half done is worth half).
A station cut into turfs can take one team per turf.
A station counts as covered, and is not suggested, when `covered_at` of its doors were knocked,
or, with no addresses, once anyone canvassed it today. When the campaign has chosen a target
(PUT …/target, the HQ targeting panel's "Use for dispatch"), its per-station score
(server/targeting) replaces the ranking's score, and the rank is the rank by that score.
"""

from __future__ import annotations

import asyncpg

from server.areas.queries import latest_election
from server.dispatch.suggest import TargetValue
from server.priorities.queries import ranked_stations
from server.sql import sql
from server.targeting.queries import station_values as target_scores
from server.targeting.queries import stored_target
from server.timewindow import window


async def station_values(
    conn: asyncpg.Connection, campaign_id: int, taken: dict[str, int], covered_at: float
) -> list[TargetValue]:
    """Every station worth a visit, with its remaining value; `taken`: teams assigned there now."""
    lo, hi = window(None, None)  # canvassed today counts as done
    election = await latest_election(conn, campaign_id)
    stations = await ranked_stations(conn, campaign_id, election, lo, hi, None)
    target = await stored_target(conn, campaign_id)
    targeted = await target_scores(conn, campaign_id, target, lo, hi) if target else None
    target_rank = (
        {code: i for i, code in enumerate(sorted(targeted, key=lambda c: -targeted[c]), 1)}
        if targeted is not None
        else {}
    )
    context = {r["code"]: r for r in await conn.fetch(sql("dispatch/station_context"), campaign_id)}
    # a station cut into turfs can take a team per turf
    turfs = {r["code"]: r["turfs"] for r in await conn.fetch(sql("turfs/counts"), campaign_id)}
    out = []
    for s in stations:
        score, rank, reasons = s.score, s.rank, s.reasons
        if targeted is not None and target is not None:
            score, rank = targeted.get(s.code), target_rank.get(s.code, rank)
            reasons = [
                f"target ({target.mode}, camp {'+'.join(target.camp)}): score {score:.0f}"
                if score is not None
                else "no score for the chosen target",
                *s.reasons,
            ]
        if score is None:
            continue
        ctx = context.get(s.code)
        doors = ctx["doors"] if ctx else 0
        covered = min(1.0, s.visits.doors_knocked / doors) if doors else None
        if (covered is not None and covered >= covered_at) or (covered is None and s.visits.volunteers > 0):
            continue
        value = score * (1 - covered) if covered is not None else score
        out.append(
            TargetValue(
                code=s.code,
                name=s.name,
                lon=s.lon,
                lat=s.lat,
                value=value,
                rank=rank,
                covered=covered,
                district=ctx["district"] if ctx else None,
                capacity=turfs.get(s.code, 1),
                taken=taken.get(s.code, 0),
                reasons=reasons,
            )
        )
    return out
