from __future__ import annotations

import asyncpg

from server.auth.schemas import Membership, NewUser, User
from server.auth.tokens import hash_token, new_device_token, new_login, new_token
from server.campaigns.queries import campaign_by_slug
from server.sql import sql


async def user_by_token(conn: asyncpg.Connection, token: str) -> User | None:
    row = await conn.fetchrow(sql("auth/user_by_token"), hash_token(token))
    return User(**dict(row)) if row else None


async def user_by_device_token(
    conn: asyncpg.Connection, token: str, login: str | None = None, max_age_days: float | None = None
) -> User | None:
    """A device token (the apps' credential); with `login`, both must match (OwnTracks). One
    issued more than `max_age_days` ago (None: no limit) is refused."""
    if login is None:
        row = await conn.fetchrow(sql("auth/user_by_device_token"), hash_token(token), max_age_days)
    else:
        row = await conn.fetchrow(sql("auth/user_by_login_device_token"), login, hash_token(token), max_age_days)
    return User(**dict(row)) if row else None


async def user_by_any_token(conn: asyncpg.Connection, token: str, max_age_days: float | None = None) -> User | None:
    """The API token or the device token: the ingest websocket takes either (its token travels
    in the first frame, never in a URL), the HTTP apps only the device token."""
    row = await conn.fetchrow(sql("auth/user_by_any_token"), hash_token(token), max_age_days)
    return User(**dict(row)) if row else None


async def issue_device_token(conn: asyncpg.Connection, user_id: int) -> str:
    """A new device token for the user, replacing (revoking) the previous one; shown once."""
    token = new_device_token()
    await conn.execute(sql("auth/set_device_token"), user_id, hash_token(token))
    return token


async def memberships(conn: asyncpg.Connection, user_id: int) -> list[asyncpg.Record]:
    return await conn.fetch(sql("auth/memberships_of_user"), user_id)


async def membership(conn: asyncpg.Connection, user: User, slug: str) -> Membership | None:
    row = await conn.fetchrow(sql("auth/membership"), user.id, slug)
    return Membership(**dict(row), user=user) if row else None


async def add_user(conn: asyncpg.Connection, campaign_slug: str, role: str, name: str) -> NewUser:
    campaign = await campaign_by_slug(conn, campaign_slug)
    token = new_token()
    login = new_login(name)
    async with conn.transaction():
        user_id = await conn.fetchval(sql("auth/insert_user"), login, name, hash_token(token))
        await conn.execute(sql("auth/insert_membership"), user_id, campaign["id"], role)
        device_token = await issue_device_token(conn, user_id)
    return NewUser(login=login, name=name, role=role, campaign=campaign_slug, token=token, device_token=device_token)


async def ensure_users(
    conn: asyncpg.Connection, campaign_id: int, logins: list[str], names: list[str], role: str = "volunteer"
) -> list[tuple[int, str]]:
    """Accounts by login, in bulk, members of the campaign, each with a fresh token: existing
    accounts are reused, and their older tokens stop working (tokens are only stored hashed).
    Returns [(user id, token)] in the order of `logins`."""
    tokens = [new_token() for _ in logins]
    async with conn.transaction():
        rows = await conn.fetch(sql("auth/upsert_users"), logins, names, [hash_token(t) for t in tokens])
        ids = {r["login"]: r["id"] for r in rows}
        await conn.execute(sql("auth/upsert_memberships"), [ids[login] for login in logins], campaign_id, role)
    return [(ids[login], token) for login, token in zip(logins, tokens)]
