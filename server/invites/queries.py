"""Invite rows: create, list, and use once (creating the account, its token and memberships)."""

from __future__ import annotations

import secrets

import asyncpg

from server.auth.tokens import hash_token, new_login, new_token
from server.errors import NotFound
from server.auth.queries import issue_device_token
from server.sql import sql


async def create(
    conn: asyncpg.Connection, campaign_id: int, role: str, team: str | None, hours: int, created_by: int | None
) -> tuple[asyncpg.Record, str, str | None]:
    """(the invite row, its secret, the team's name)."""
    team_id = None
    if team is not None:
        team_id = await conn.fetchval(sql("invites/team"), campaign_id, team)
        if team_id is None:
            raise NotFound(f"no team {team!r} in this campaign")
    secret = secrets.token_urlsafe(24)
    row = await conn.fetchrow(sql("invites/insert"), campaign_id, team_id, role, hash_token(secret), created_by, hours)
    return row, secret, team


async def listing(conn: asyncpg.Connection, campaign_id: int, limit: int) -> list[asyncpg.Record]:
    return await conn.fetch(sql("invites/list"), campaign_id, limit)


async def accept(conn: asyncpg.Connection, secret: str, name: str) -> tuple[asyncpg.Record, str, str, str]:
    """Use the invite: (invite row with the campaign's slug, new login, new token, new device token). A used,
    expired or unknown link is one NotFound, whichever it is (a guesser learns nothing)."""
    async with conn.transaction():
        invite = await conn.fetchrow(sql("invites/take"), hash_token(secret))
        if invite is None:
            raise NotFound("this invite link is unknown, expired or already used; ask for a new one")
        token, login = new_token(), new_login(name)
        user_id = await conn.fetchval(sql("auth/insert_user"), login, name, hash_token(token))
        await conn.execute(sql("auth/insert_membership"), user_id, invite["campaign_id"], invite["role"])
        if invite["team_id"] is not None:
            await conn.execute(sql("invites/join_team"), invite["team_id"], user_id)
        await conn.execute(sql("invites/used_by"), invite["id"], user_id)
        device_token = await issue_device_token(conn, user_id)
    return invite, login, token, device_token
