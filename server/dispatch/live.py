"""Pushing an assignment to a team's phones: one message on the campaign's dispatch channel,
which every ingest process relays to the team members it has connected (ingest/assignments.py)."""
from __future__ import annotations

import logging

import orjson
import redis.asyncio as aioredis

from server.redis import dispatch_channel

log = logging.getLogger("server.dispatch")


def assignment_message(team: int, members: list[int], station: str, name: str | None, area_id: int,
                       lon: float, lat: float, since: float) -> bytes:
    return orjson.dumps({"type": "assignment", "team": team, "members": members, "station": station,
                         "name": name, "area": area_id, "lon": lon, "lat": lat, "since": since})


async def publish_assignment(redis: aioredis.Redis, campaign_id: int, message: bytes) -> bool:
    try:
        await redis.publish(dispatch_channel(campaign_id), message)
        return True
    except Exception as exc:  # noqa: BLE001 - stored all the same; ingest's refresh picks it up
        log.warning("assignment not pushed: %s: %s", type(exc).__name__, exc)
        return False
