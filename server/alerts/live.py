"""Telling HQ's feed about an alert (raised, acknowledged, cleared), on the campaign's live
channel. The alert is stored first; a Redis failure only means HQ was not told at once (HQ's
alert list reads the table). A parallel refactor will move every live event into one module."""
from __future__ import annotations

import orjson
import redis.asyncio as aioredis

from server.alerts.schemas import Alert
from server.redis import live_channel, publish_best_effort


def alert_event(alert: Alert, what: str) -> bytes:
    return orjson.dumps({"type": "alert", "what": what, "alert": alert.model_dump(mode="json")})


async def publish_alert(redis: aioredis.Redis, campaign_id: int, alert: Alert, what: str) -> bool:
    return await publish_best_effort(redis, live_channel(campaign_id), alert_event(alert, what), f"alert {what}")
