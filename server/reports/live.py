"""Telling HQ's activity feed that a tour report came in, on the campaign's live channel. The
report is stored first; a Redis failure only means HQ was not told (the caller says so)."""
from __future__ import annotations

import time

import orjson
import redis.asyncio as aioredis

from server.redis import live_channel, publish_best_effort
from server.reports.schemas import Report


def report_event(report: Report, district: str | None) -> bytes:
    return orjson.dumps({"type": "report", "v": report.volunteer, "team": report.team, "ds": district,
                         "report": report.id, "station": report.station, "knocked": report.doors_knocked,
                         "opened": report.doors_opened, "contacts": report.contacts, "at": time.time()})


async def publish_report(redis: aioredis.Redis, campaign_id: int, report: Report, district: str | None) -> bool:
    return await publish_best_effort(redis, live_channel(campaign_id), report_event(report, district), "report")
