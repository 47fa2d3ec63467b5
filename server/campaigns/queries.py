from __future__ import annotations

import asyncpg

from server.errors import NotFound
from server.sql import sql


async def create_campaign(conn: asyncpg.Connection, slug: str, name: str) -> asyncpg.Record:
    return await conn.fetchrow(sql("campaigns/insert"), slug, name)


async def campaign_by_slug(conn: asyncpg.Connection, slug: str) -> asyncpg.Record:
    row = await conn.fetchrow(sql("campaigns/by_slug"), slug)
    if row is None:
        raise NotFound(f"no campaign {slug!r}")
    return row
