"""The Redis client. Key and channel names, events and publishing live in server/events.py
(re-exported here for existing importers)."""

from __future__ import annotations

import redis.asyncio as aioredis

from server.events import (  # noqa: F401 - re-exports
    areas_version_key,
    dispatch_channel,
    live_channel,
    publish_best_effort,
    volunteer_state_key,
)


def create_redis(url: str) -> aioredis.Redis:
    return aioredis.from_url(url, decode_responses=False, health_check_interval=30)
