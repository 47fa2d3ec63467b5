"""Telling HQ's feed about an alert (raised, acknowledged, cleared), on the campaign's live
channel, and a raised one to the team's coordinator's phone too (the dispatch channel, relayed
by ingest to their open phone page). The alert is stored first; a Redis failure only means
nobody was told at once (HQ's alert list reads the table). The events themselves are defined
with every other in server/events.py."""

from __future__ import annotations

import redis.asyncio as aioredis

from server.alerts.schemas import Alert
from server.events import (
    DEFAULT_PREFIX,
    alert_event,
    coordinator_alert_event,
    dispatch_channel,
    live_channel,
    publish_best_effort,
)


async def publish_alert(
    redis: aioredis.Redis, campaign_id: int, alert: Alert, what: str, prefix: str = DEFAULT_PREFIX
) -> bool:
    body = alert.model_dump(mode="json")
    told = await publish_best_effort(redis, live_channel(campaign_id, prefix), alert_event(body, what), f"alert {what}")
    if what == "raised" and alert.coordinator_id is not None:
        message = coordinator_alert_event(alert.coordinator_id, body)
        told &= await publish_best_effort(redis, dispatch_channel(campaign_id, prefix), message, "coordinator alert")
    return told
