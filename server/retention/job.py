"""The retention job: `quadriller retention run`, and a timer in the HQ server's lifespan.

Ping partitions older than the server's window are folded into per-cell, per-day counts and
dropped (pings_retire, as ingest also does); a campaign with a shorter location retention has
its older pings folded and deleted row by row. Expired HQ sessions go. Then each campaign's
other tables, and Redis.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import time

import asyncpg
import orjson
import redis.asyncio as aioredis

from server import events
from server.events import volunteer_state_key
from server.retention.policy import cutoffs, stale_live_states
from server.sessions import queries as session_queries
from server.settings import Settings
from server.sql import sql

log = logging.getLogger("server.retention")


async def run(
    conn: asyncpg.Connection, redis: aioredis.Redis, settings: Settings, now: dt.datetime | None = None
) -> dict:
    """Apply every campaign's retention; returns what was deleted, per campaign and table."""
    now = now or dt.datetime.now(dt.UTC)
    server_cutoff = now - dt.timedelta(days=settings.retention_days)
    out: dict = {
        "at": now.isoformat(),
        "ping_partitions_retired": await conn.fetchval("SELECT pings_retire($1)", server_cutoff),
        # HQ sessions belong to a person, not a campaign: expired ones open nothing any more.
        "hq_sessions": await session_queries.delete_expired(conn, now),
        "campaigns": {},
    }
    for c in await conn.fetch(sql("retention/campaigns")):
        cut = cutoffs(
            now,
            settings.retention_days,
            c["location_retention_days"],
            c["contact_retention_days"],
            c["audit_retention_days"],
        )
        async with conn.transaction():
            pings = 0
            if cut.location_shorter:
                pings = await conn.fetchval(sql("pings/fold_and_delete"), c["id"], None, cut.location)
            await conn.execute("SET LOCAL quadriller.audit_maintenance = 'on'")
            deleted = dict(
                await conn.fetchrow(sql("retention/delete_past"), c["id"], cut.location, cut.contacts, cut.audit)
            )
        deleted["pings"] = pings
        deleted["redis:vstate"] = await prune_live_states(
            redis, c["id"], settings.live_state_ttl_s, settings.redis_prefix
        )
        out["campaigns"][c["slug"]] = deleted
    return out


async def prune_live_states(redis: aioredis.Redis, campaign_id: int, max_age_s: float, prefix: str) -> int:
    """Drop live positions with no fix for `max_age_s` (QUADRILLER_LIVE_STATE_TTL_S, the expiry
    ingest gives the hash on every write), and give the hash that expiry: should nothing write or
    run again, positions still vanish. (Redis 7.0 has no per-field expiry, hence the pruning.)"""
    key = volunteer_state_key(campaign_id, prefix)
    old = stale_live_states(
        await redis.hgetall(key), time.time() * 1000, max_age_s, lambda raw: orjson.loads(raw).get("rt")
    )
    if old:
        await redis.hdel(key, *old)
        volunteers = [int(v) for v in old if v.isdigit()]
        await events.publish_best_effort(
            redis, events.live_channel(campaign_id, prefix), events.removed_event(volunteers), "live states expired"
        )
    await redis.expire(key, int(max_age_s))
    return len(old)


async def every(pool: asyncpg.Pool, redis: aioredis.Redis, settings: Settings) -> None:
    """Run the job now and then every `retention_every_s`, in the HQ server; a failure is logged
    and retried next time (the data is only kept a little longer)."""
    while True:
        try:
            async with pool.acquire() as conn:
                done = await run(conn, redis, settings)
            total = sum(n for c in done["campaigns"].values() for n in c.values())
            if total or done["ping_partitions_retired"] or done["hq_sessions"]:
                log.info("retention: %s", orjson.dumps(done).decode())
        except Exception as exc:  # noqa: BLE001 - database or Redis down: try again next time
            log.warning("retention failed: %s: %s", type(exc).__name__, exc)
        await asyncio.sleep(settings.retention_every_s)
