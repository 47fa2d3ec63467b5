"""Redis client, and every key and channel name in one place.

Keys are hash-tagged by campaign ({c:<id>}) so that a Redis Cluster keeps one campaign's keys
on one shard, and every key is scoped by campaign.
"""
from __future__ import annotations

import redis.asyncio as aioredis


def create_redis(url: str) -> aioredis.Redis:
    return aioredis.from_url(url, decode_responses=False, health_check_interval=30)


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
