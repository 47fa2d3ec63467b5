"""Pushing an assignment to a team's phones: one message on the campaign's dispatch channel,
which every ingest process relays to the team members it has connected (ingest/relay.py)."""

from __future__ import annotations

import redis.asyncio as aioredis

from server import events

# The event itself is defined with the others, in server/events.py.
assignment_message = events.assignment_event


async def publish_assignment(
    redis: aioredis.Redis, campaign_id: int, message: bytes, prefix: str = events.DEFAULT_PREFIX
) -> bool:
    # Not pushed when Redis is down: ingest's periodic refresh still picks the assignment up.
    return await events.publish_best_effort(redis, events.dispatch_channel(campaign_id, prefix), message, "assignment")
