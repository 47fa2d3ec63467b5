"""Location-sharing consent rows: agree, withdraw, read."""

from __future__ import annotations

import asyncpg

from server.consent.texts import current_version
from server.errors import Conflict
from server.sql import sql


class ConsentRequired(Conflict):
    """No standing consent to the current location text: no shift may start."""


async def standing(conn: asyncpg.Connection, campaign_id: int, user_id: int) -> asyncpg.Record | None:
    return await conn.fetchrow(sql("consent/standing"), campaign_id, user_id)


async def agree(conn: asyncpg.Connection, campaign_id: int, user_id: int, version: str) -> tuple[asyncpg.Record, bool]:
    """(the standing consent, whether recorded now). Agreeing again to the same version is no
    change; agreeing to a newer one replaces the older (kept, as withdrawn, for the record)."""
    async with conn.transaction():
        current = await standing(conn, campaign_id, user_id)
        if current is not None and current["version"] == version:
            return current, False
        await conn.execute(sql("consent/withdraw"), campaign_id, user_id)
        return await conn.fetchrow(sql("consent/insert"), campaign_id, user_id, version), True


async def agree_many(conn: asyncpg.Connection, campaign_id: int, user_ids: list[int], version: str) -> None:
    """`agree` for many users at once: the simulator's stand-in volunteers, who go on shift like
    real ones and so must stand by the current text first (server/shifts/service.start)."""
    async with conn.transaction():
        await conn.execute(sql("consent/withdraw_other_versions"), campaign_id, user_ids, version)
        await conn.execute(sql("consent/insert_many"), campaign_id, user_ids, version)


async def withdraw(conn: asyncpg.Connection, campaign_id: int, user_id: int) -> asyncpg.Record | None:
    return await conn.fetchrow(sql("consent/withdraw"), campaign_id, user_id)


async def require(conn: asyncpg.Connection, campaign_id: int, user_id: int) -> None:
    """ConsentRequired unless the volunteer stands by the current text: shifts start only then."""
    row = await standing(conn, campaign_id, user_id)
    if row is None or row["version"] != current_version("location"):
        raise ConsentRequired(
            "agree to location sharing first (POST /api/campaigns/{slug}/consent with the "
            f"current version, {current_version('location')!r})",
            code="consent_required",
        )


async def of_campaign(conn: asyncpg.Connection, campaign_id: int) -> list[asyncpg.Record]:
    return await conn.fetch(sql("consent/of_campaign"), campaign_id)
