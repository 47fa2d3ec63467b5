"""The vocabulary's rows. Removing a tag leaves it on past reports and contacts (history), but
nothing new can carry it."""

from __future__ import annotations

import asyncpg

from server.sql import sql
from server.tags.vocabulary import Tag, check_tags


async def vocabulary(conn: asyncpg.Connection, campaign_id: int) -> list[Tag]:
    return [Tag(r["tag"], r["label_fr"], r["label_en"]) for r in await conn.fetch(sql("tags/list"), campaign_id)]


async def checked(conn: asyncpg.Connection, campaign_id: int, tags: list[str]) -> list[str]:
    """`tags` if all are in the campaign's vocabulary (UnknownTag otherwise)."""
    if not tags:
        return []
    return check_tags(tags, {t.tag for t in await vocabulary(conn, campaign_id)})


async def replace(conn: asyncpg.Connection, campaign_id: int, tags: list[Tag]) -> tuple[int, int]:
    """(tags now, tags removed)."""
    async with conn.transaction():
        removed = await conn.fetchval(sql("tags/delete_missing"), campaign_id, [t.tag for t in tags])
        await conn.execute(
            sql("tags/upsert"),
            campaign_id,
            [t.tag for t in tags],
            [t.label_fr for t in tags],
            [t.label_en for t in tags],
        )
    return len(tags), removed
