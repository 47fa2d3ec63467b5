from __future__ import annotations

import datetime as dt

import asyncpg

from server.priorities import ranking
from server.priorities.schemas import StationPriority, Visits
from server.sql import sql


async def list_exists(conn: asyncpg.Connection, campaign_id: int, election: str, name: str) -> bool:
    return await conn.fetchval(sql("priorities/list_exists"), campaign_id, election, name)


async def ranked_stations(
    conn: asyncpg.Connection,
    campaign_id: int,
    election: str | None,
    since: dt.datetime,
    until: dt.datetime,
    list_name: str | None,
) -> list[StationPriority]:
    rows = await conn.fetch(sql("priorities/stations"), campaign_id, election, since, until, list_name)
    weighted = list_name is not None
    scored = []
    for r in rows:
        fig = ranking.StationFigures(r["code"], r["registered"], r["abstentions"], r["list_share"], r["volunteers"])
        scored.append((ranking.score(fig, weighted), r, fig))
    scored.sort(key=lambda x: ranking.rank_key((x[0], x[1]["code"])))
    out = []
    for i, (sc, r, fig) in enumerate(scored, start=1):
        reg, abst = r["registered"], r["abstentions"]
        out.append(
            StationPriority(
                rank=i,
                code=r["code"],
                name=r["name"],
                registered=reg,
                abstentions=abst,
                abstention_rate=(abst / reg) if reg and abst is not None else None,
                list_share=r["list_share"],
                potential=ranking.potential(fig, weighted),
                visits=Visits(
                    volunteers=r["volunteers"],
                    pings=r["pings"],
                    doors_knocked=r["doors_knocked"],
                    reports=r["reports"],
                    last=r["last_visit"],
                ),
                score=sc,
                reasons=ranking.reasons(fig, weighted, list_name, r["doors_knocked"]),
                lon=r["lon"],
                lat=r["lat"],
            )
        )
    return out
