"""Telling HQ's live map that a shift started or ended, on the campaign's live channel.

Ending a shift also drops the volunteer's live state, like a pause: off shift, they are not on
the map. The database is the truth; Redis only informs viewers, so a Redis failure is reported
(the caller says "HQ was not told") but never undoes a shift change.
"""
from __future__ import annotations

import logging
import time

import orjson
import redis.asyncio as aioredis

from server.redis import live_channel, publish_best_effort, volunteer_state_key
from server.shifts.schemas import Shift

log = logging.getLogger("server.shifts")


def started_event(user_id: int, shift_id: int, since: float, team: int | None) -> bytes:
    return orjson.dumps({"type": "shift", "v": user_id, "on": True, "shift": shift_id,
                         "since": since, "team": team, "at": time.time()})


def ended_event(user_id: int, shift_id: int, by: str | None) -> bytes:
    return orjson.dumps({"type": "shift", "v": user_id, "on": False, "shift": shift_id,
                         "by": by, "at": time.time()})


async def publish_started(redis: aioredis.Redis, campaign_id: int, shift: Shift, team: int | None) -> bool:
    return await publish_best_effort(redis, live_channel(campaign_id),
                                     started_event(shift.volunteer, shift.id, shift.started_at.timestamp(), team),
                                     "shift start")


async def publish_ended(redis: aioredis.Redis, campaign_id: int, shift: Shift) -> bool:
    try:
        pipe = redis.pipeline(transaction=True)
        pipe.hdel(volunteer_state_key(campaign_id), str(shift.volunteer))
        pipe.publish(live_channel(campaign_id), ended_event(shift.volunteer, shift.id, shift.ended_by))
        await pipe.execute()
        return True
    except Exception as exc:  # noqa: BLE001 - Redis down: ended all the same; HQ sees them go stale
        log.warning("shift end not published: %s: %s", type(exc).__name__, exc)
        return False
