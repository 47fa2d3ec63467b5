"""Telling HQ's activity feed that a door outcome came in, on the campaign's live channel. The
outcome is stored first; a Redis failure only means HQ was not told (the caller says so). The
event itself is defined with every other in server/events.py."""

from __future__ import annotations

import redis.asyncio as aioredis

from server.doors.schemas import DoorOutcome
from server.events import DEFAULT_PREFIX, door_event, live_channel, publish_best_effort, turf_finished_event


async def publish_outcome(
    redis: aioredis.Redis, campaign_id: int, outcome: DoorOutcome, district: str | None, prefix: str = DEFAULT_PREFIX
) -> bool:
    event = door_event(
        outcome.volunteer,
        outcome.team,
        district,
        outcome.id,
        outcome.station,
        outcome.outcome,
        outcome.visited_at.timestamp(),
    )
    return await publish_best_effort(redis, live_channel(campaign_id, prefix), event, "door outcome")


async def publish_turf_finished(
    redis: aioredis.Redis, campaign_id: int, outcome: DoorOutcome, district: str | None, turfs, prefix: str
) -> None:
    """This outcome was the last door of these turfs (records of dispatch's finished_turfs)."""
    for t in turfs:
        event = turf_finished_event(outcome.volunteer, t["team_id"], district, t["station"], t["number"], t["turf_id"])
        await publish_best_effort(redis, live_channel(campaign_id, prefix), event, "turf finished")
