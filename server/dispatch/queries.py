from __future__ import annotations

import asyncpg

from server.dispatch.schemas import Assignment, DispatchRules, Team
from server.sql import sql


def _team(r: asyncpg.Record) -> Team:
    current = (
        Assignment(station=r["code"], name=r["area_name"], since=r["assigned_at"], turf=r["turf_id"])
        if r["code"]
        else None
    )
    return Team(
        id=r["id"],
        name=r["name"],
        members=list(r["members"]),
        assignment=current,
        home=r["home"],
        coordinator=r["coordinator"],
    )


async def teams(conn: asyncpg.Connection, campaign_id: int) -> list[Team]:
    return [_team(r) for r in await conn.fetch(sql("dispatch/teams"), campaign_id)]


async def create_team(
    conn: asyncpg.Connection, campaign_id: int, name: str, members: list[int]
) -> tuple[int, list[int]]:
    """(team id, the members added). Members outside the campaign are not added."""
    async with conn.transaction():
        team = await conn.fetchrow(sql("dispatch/insert_team"), campaign_id, name)
        added = [r["user_id"] for r in await conn.fetch(sql("dispatch/add_members"), campaign_id, team["id"], members)]
    return team["id"], added


async def ensure_teams(conn: asyncpg.Connection, campaign_id: int, user_ids: list[int], size: int, prefix: str) -> int:
    """Group volunteers into teams of `size`, named "<prefix> 1", "<prefix> 2"… (the simulator's
    teams, so that the demo has teams to dispatch); returns the number of teams."""
    n = 0
    for start in range(0, len(user_ids), size):
        n += 1
        await create_team(conn, campaign_id, f"{prefix} {n}", user_ids[start : start + size])
    return n


async def station(conn: asyncpg.Connection, campaign_id: int, code: str) -> asyncpg.Record | None:
    return await conn.fetchrow(sql("dispatch/station"), campaign_id, code)


async def assign(
    conn: asyncpg.Connection, campaign_id: int, team_id: int, area_id: int, turf_id: int | None = None
) -> asyncpg.Record:
    async with conn.transaction():
        return await conn.fetchrow(sql("dispatch/assign"), campaign_id, team_id, area_id, turf_id)


async def turf(conn: asyncpg.Connection, campaign_id: int, turf_id: int) -> asyncpg.Record | None:
    return await conn.fetchrow(sql("dispatch/turf"), campaign_id, turf_id)


async def rules_row(conn: asyncpg.Connection, campaign_id: int) -> asyncpg.Record | None:
    return await conn.fetchrow(sql("dispatch/settings"), campaign_id)


async def save_rules(conn: asyncpg.Connection, campaign_id: int, r: DispatchRules) -> asyncpg.Record:
    return await conn.fetchrow(
        sql("dispatch/save_settings"),
        campaign_id,
        r.walk_scale_m,
        r.max_walk_m,
        r.home_bonus,
        r.covered_at,
        r.refresh_s,
        r.reject_hold_min,
    )


async def held_back(conn: asyncpg.Connection, campaign_id: int, hold_min: float) -> set[tuple[int, str]]:
    """(team id, station code) pairs rejected less than `hold_min` minutes ago."""
    if hold_min <= 0:
        return set()
    return {(r["team_id"], r["code"]) for r in await conn.fetch(sql("dispatch/held_back"), campaign_id, hold_min)}


async def station_codes(conn: asyncpg.Connection, campaign_id: int, codes: list[str]) -> set[str]:
    """Which of `codes` are polling stations of the campaign."""
    rows = await conn.fetch(sql("dispatch/station_codes"), campaign_id, codes)
    return {r["code"] for r in rows}


async def insert_decision(
    conn: asyncpg.Connection,
    campaign_id: int,
    team_id: int,
    suggested: str | None,
    chosen: str | None,
    decision: str,
    user_id: int,
    suggestion: dict,
) -> asyncpg.Record:
    return await conn.fetchrow(
        sql("dispatch/insert_decision"), campaign_id, team_id, suggested, chosen, decision, user_id, suggestion
    )


async def decisions(conn: asyncpg.Connection, campaign_id: int, since, until) -> list[asyncpg.Record]:
    return await conn.fetch(sql("dispatch/decisions"), campaign_id, since, until)


async def set_home(conn: asyncpg.Connection, campaign_id: int, team_id: int, district: str | None) -> bool:
    return await conn.fetchval(sql("dispatch/set_home"), campaign_id, team_id, district) is not None


async def coordinator_id(conn: asyncpg.Connection, campaign_id: int, login: str) -> int | None:
    """The id of `login` if they may coordinate the campaign's teams (coordinator or admin)."""
    return await conn.fetchval(sql("dispatch/coordinator_id"), campaign_id, login)


async def set_coordinator(conn: asyncpg.Connection, campaign_id: int, team_id: int, user_id: int | None) -> bool:
    return await conn.fetchval(sql("dispatch/set_coordinator"), campaign_id, team_id, user_id) is not None


async def members(conn: asyncpg.Connection, campaign_id: int, roles: list[str], limit: int) -> list[asyncpg.Record]:
    """The campaign's members with one of `roles` (login, name, role), by name, at most `limit`."""
    return await conn.fetch(sql("dispatch/members"), campaign_id, roles, limit)
