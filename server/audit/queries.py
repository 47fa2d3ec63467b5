"""Recording and listing audited reads."""

from __future__ import annotations

import datetime as dt
from typing import Any

import asyncpg

from server.auth.schemas import Membership
from server.sql import sql

# What is audited: reads of where people are or were, and of contacts.
ACTIONS = ("live", "replay", "hexes", "contacts", "contacts_export", "privacy_export")


async def record(conn: asyncpg.Connection, member: Membership, action: str, scope: dict[str, Any]) -> None:
    """Record that `member` read `action` data with these parameters (None values left out)."""
    await record_as(conn, member.campaign_id, member.user.id, member.user.login, action, scope)


async def record_as(
    conn: asyncpg.Connection,
    campaign_id: int,
    user_id: int | None,
    login: str | None,
    action: str,
    scope: dict[str, Any],
) -> None:
    clean = {k: (v.isoformat() if isinstance(v, dt.datetime) else v) for k, v in scope.items() if v is not None}
    await conn.execute(sql("audit/insert"), campaign_id, user_id, login, action, clean)


async def listing(conn: asyncpg.Connection, campaign_id: int, since: dt.datetime, limit: int) -> list[dict]:
    return [dict(r) for r in await conn.fetch(sql("audit/list"), campaign_id, since, limit)]
