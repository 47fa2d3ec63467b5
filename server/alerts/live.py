"""Telling HQ's feed about an alert (raised, acknowledged, cleared), on the campaign's live
channel. The alert is stored first; a Redis failure only means HQ was not told at once (HQ's
alert list reads the table). The event itself is defined with every other in server/events.py."""

from __future__ import annotations

import redis.asyncio as aioredis

from server.alerts.schemas import Alert
from server.events import DEFAULT_PREFIX, alert_event, live_channel, publish_best_effort


async def publish_alert(
    redis: aioredis.Redis, campaign_id: int, alert: Alert, what: str, prefix: str = DEFAULT_PREFIX
) -> bool:
    return await publish_best_effort(
        redis, live_channel(campaign_id, prefix), alert_event(alert.model_dump(mode="json"), what), f"alert {what}"
    )
