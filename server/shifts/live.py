"""Telling HQ's live map that a shift started or ended, on the campaign's live channel.

Ending a shift also drops the volunteer's live state, like a pause: off shift, they are not on
the map; and it is told on the duty channel, so that every ingest process stops taking their
pings before the next one arrives. The database is the truth; Redis only informs viewers, so a Redis failure is reported
(the caller says "HQ was not told") but never undoes a shift change.
"""

from __future__ import annotations

import logging

import redis.asyncio as aioredis

from server import events
from server.shifts.schemas import Shift

log = logging.getLogger("server.shifts")


async def publish_started(
    redis: aioredis.Redis, campaign_id: int, shift: Shift, team: int | None, prefix: str = events.DEFAULT_PREFIX
) -> bool:
    event = events.shift_started_event(shift.volunteer, shift.id, shift.started_at.timestamp(), team)
    return await events.publish_best_effort(redis, events.live_channel(campaign_id, prefix), event, "shift start")


async def publish_ended(
    redis: aioredis.Redis, campaign_id: int, shift: Shift, prefix: str = events.DEFAULT_PREFIX
) -> bool:
    try:
        pipe = redis.pipeline(transaction=True)
        pipe.hdel(events.volunteer_state_key(campaign_id, prefix), str(shift.volunteer))
        pipe.publish(
            events.live_channel(campaign_id, prefix),
            events.shift_ended_event(shift.volunteer, shift.id, shift.ended_by),
        )
        # Every ingest process stops taking their pings at once (ingest/relay.py).
        pipe.publish(
            events.duty_channel(campaign_id, prefix),
            events.shift_end_order(shift.volunteer, shift.id, shift.started_at.timestamp(), shift.ended_by),
        )
        await pipe.execute()
        return True
    except Exception as exc:  # noqa: BLE001 - Redis down: ended all the same; HQ sees them go stale
        log.warning("shift end not published: %s: %s", type(exc).__name__, exc)
        return False
