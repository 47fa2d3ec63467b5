"""Pushing an assignment to a team's phones: one message on the campaign's dispatch channel,
which every ingest process relays to the team members it has connected (ingest/assignments.py)."""
from __future__ import annotations

import orjson
import redis.asyncio as aioredis

from server.redis import dispatch_channel, publish_best_effort


def assignment_message(team: int, members: list[int], station: str, name: str | None, area_id: int,
                       lon: float, lat: float, since: float) -> bytes:
    return orjson.dumps({"type": "assignment", "team": team, "members": members, "station": station,
                         "name": name, "area": area_id, "lon": lon, "lat": lat, "since": since})


async def publish_assignment(redis: aioredis.Redis, campaign_id: int, message: bytes) -> bool:
    # Not pushed when Redis is down: ingest's periodic refresh still picks the assignment up.
    return await publish_best_effort(redis, dispatch_channel(campaign_id), message, "assignment")
