"""Removing a person from a campaign (`quadriller users revoke`): it takes effect everywhere at once.

The membership row goes (the HQ API checks it on every request, so their tokens no longer open the
campaign), their open shift ends (every ingest process stops taking their pings, through the
duty channel), and the access channel tells every ingest process to forget their cached logins
and close their open websockets. HQ's /ws/live re-checks each viewer's membership every
`live_access_recheck_s` (server/live/routes.py) and closes the sockets of those removed.
"""

from __future__ import annotations

import asyncpg
import redis.asyncio as aioredis

from server import events
from server.errors import NotFound
from server.shifts import service as shift_service
from server.sql import sql


async def revoke(
    conn: asyncpg.Connection,
    redis: aioredis.Redis,
    slug: str,
    login: str,
    max_hours: float,
    prefix: str = events.DEFAULT_PREFIX,
) -> dict:
    """What was done, as the command prints it. NotFound when the login is not a member."""
    async with conn.transaction():
        row = await conn.fetchrow(sql("auth/delete_membership"), slug, login)
        if row is None:
            raise NotFound(f"{login!r} is not a member of campaign {slug!r}", code="not_a_member")
    user_id, campaign_id = row["user_id"], row["campaign_id"]
    shift, _ = await shift_service.end_open(conn, redis, campaign_id, user_id, "revoked", max_hours, prefix)
    notified = await events.publish_best_effort(
        redis, events.access_channel(campaign_id, prefix), events.access_revoked_event(user_id), "access revoked"
    )
    return {
        "campaign": slug,
        "login": login,
        "user": user_id,
        "role": row["role"],
        "shift_ended": shift.id if shift else None,
        "ingest_notified": notified,
    }
