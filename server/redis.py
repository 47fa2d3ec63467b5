"""Redis client, and every key and channel name in one place.

Keys are hash-tagged by campaign ({c:<id>}) so that a Redis Cluster keeps one campaign's keys
on one shard, and every key is scoped by campaign.
"""
from __future__ import annotations

import logging

import redis.asyncio as aioredis

log = logging.getLogger("server.redis")


def create_redis(url: str) -> aioredis.Redis:
    return aioredis.from_url(url, decode_responses=False, health_check_interval=30)


async def publish_best_effort(redis: aioredis.Redis, channel: str, message: bytes, what: str) -> bool:
    """Publish a message about something already stored in PostgreSQL (the truth): a Redis
    failure is logged and reported as False (the caller tells its client "not notified"), never
    raised, so that it cannot undo or fail the stored change."""
    try:
        await redis.publish(channel, message)
        return True
    except Exception as exc:  # noqa: BLE001 - Redis down: stored all the same
        log.warning("%s not published: %s: %s", what, type(exc).__name__, exc)
        return False


def _tag(campaign_id: int) -> str:
    return f"q:{{c:{campaign_id}}}"


def live_channel(campaign_id: int) -> str:
    return f"{_tag(campaign_id)}:live"


def volunteer_state_key(campaign_id: int) -> str:
    """Hash: volunteer id -> latest state (JSON)."""
    return f"{_tag(campaign_id)}:vstate"


def dispatch_channel(campaign_id: int) -> str:
    """Assignments for the team members' phones (relayed by ingest)."""
    return f"{_tag(campaign_id)}:dispatch"


def areas_version_key(campaign_id: int) -> str:
    return f"{_tag(campaign_id)}:areas_version"
