"""Telling HQ's activity feed that a tour report came in, on the campaign's live channel. The
report is stored first; a Redis failure only means HQ was not told (the caller says so)."""

from __future__ import annotations

import redis.asyncio as aioredis

from server import events
from server.reports.schemas import Report


def report_event(report: Report, district: str | None) -> bytes:
    return events.report_event(
        report.volunteer,
        report.team,
        district,
        report.id,
        report.station,
        report.doors_knocked,
        report.doors_opened,
        report.contacts,
    )


async def publish_report(
    redis: aioredis.Redis, campaign_id: int, report: Report, district: str | None, prefix: str = events.DEFAULT_PREFIX
) -> bool:
    return await events.publish_best_effort(
        redis, events.live_channel(campaign_id, prefix), report_event(report, district), "report"
    )
