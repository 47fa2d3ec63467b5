from __future__ import annotations

import asyncpg

from server.dispatch.schemas import Assignment, Team
from server.sql import sql


def _team(r: asyncpg.Record) -> Team:
    current = Assignment(station=r["code"], name=r["area_name"], since=r["assigned_at"]) if r["code"] else None
    return Team(id=r["id"], name=r["name"], members=list(r["members"]), assignment=current)


async def teams(conn: asyncpg.Connection, campaign_id: int) -> list[Team]:
    return [_team(r) for r in await conn.fetch(sql("dispatch/teams"), campaign_id)]


async def create_team(conn: asyncpg.Connection, campaign_id: int, name: str, members: list[int]) -> tuple[int, list[int]]:
    """(team id, the members added). Members outside the campaign are not added."""
    async with conn.transaction():
        team = await conn.fetchrow(sql("dispatch/insert_team"), campaign_id, name)
        added = [r["user_id"] for r in await conn.fetch(sql("dispatch/add_members"), campaign_id, team["id"], members)]
    return team["id"], added


async def ensure_teams(conn: asyncpg.Connection, campaign_id: int, user_ids: list[int], size: int,
                       prefix: str) -> int:
    """Group volunteers into teams of `size`, named "<prefix> 1", "<prefix> 2"… (the simulator's
    teams, so that the demo has teams to dispatch); returns the number of teams."""
    n = 0
    for start in range(0, len(user_ids), size):
        n += 1
        await create_team(conn, campaign_id, f"{prefix} {n}", user_ids[start:start + size])
    return n


async def station(conn: asyncpg.Connection, campaign_id: int, code: str) -> asyncpg.Record | None:
    return await conn.fetchrow(sql("dispatch/station"), campaign_id, code)


async def assign(conn: asyncpg.Connection, campaign_id: int, team_id: int, area_id: int) -> asyncpg.Record:
    async with conn.transaction():
        return await conn.fetchrow(sql("dispatch/assign"), campaign_id, team_id, area_id)
