"""Telling HQ's activity feed that a door outcome came in, on the campaign's live channel. The
outcome is stored first; a Redis failure only means HQ was not told (the caller says so)."""
from __future__ import annotations

import time

import orjson
import redis.asyncio as aioredis

from server.doors.schemas import DoorOutcome
from server.redis import live_channel, publish_best_effort


def door_event(outcome: DoorOutcome, district: str | None) -> bytes:
    return orjson.dumps({"type": "door", "v": outcome.volunteer, "team": outcome.team, "ds": district,
                         "door": outcome.id, "station": outcome.station, "outcome": outcome.outcome,
                         "visited": outcome.visited_at.timestamp(), "at": time.time()})


async def publish_outcome(redis: aioredis.Redis, campaign_id: int, outcome: DoorOutcome, district: str | None) -> bool:
    return await publish_best_effort(redis, live_channel(campaign_id), door_event(outcome, district), "door outcome")
