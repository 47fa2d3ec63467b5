"""How long each kind of personal data is kept, per campaign: the cutoffs of one run. Pure.

| data                                                    | kept                                   |
|---------------------------------------------------------|----------------------------------------|
| pings, shifts, tour reports, door outcomes, withdrawn   | location retention: the campaign's     |
| location consents, used or expired invites              | setting, at most the server's          |
|                                                         | QUADRILLER_RETENTION_DAYS              |
| contacts                                                | 3 years after the last contact (CNIL)  |
| audit trail                                             | 1 year                                 |
| Redis live positions                                    | while fresher than a shift's maximum   |
| HQ sessions                                             | until they expire                      |

A campaign's location retention can only shorten the server's: ping partitions hold every
campaign's pings and are dropped whole at the server's limit.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from collections.abc import Mapping
from typing import Any


@dataclass(frozen=True)
class Cutoffs:
    location: dt.datetime
    contacts: dt.datetime
    audit: dt.datetime
    location_shorter: bool  # the campaign keeps locations for less than the server does


def cutoffs(
    now: dt.datetime, server_location_days: int, campaign_location_days: int | None, contact_days: int, audit_days: int
) -> Cutoffs:
    days = min(server_location_days, campaign_location_days or server_location_days)
    return Cutoffs(
        location=now - dt.timedelta(days=days),
        contacts=now - dt.timedelta(days=contact_days),
        audit=now - dt.timedelta(days=audit_days),
        location_shorter=days < server_location_days,
    )


def stale_live_states(states: Mapping[Any, Any], now_ms: float, max_age_s: float, rt) -> list:
    """Fields of a campaign's live-state hash whose server receive time (`rt(raw)`, ms) is older
    than `max_age_s`, or unreadable: they hold a position nobody should see any more."""
    old = []
    for field, raw in states.items():
        try:
            t = float(rt(raw))
        except (TypeError, ValueError):
            t = 0.0
        if now_ms - t > max_age_s * 1000:
            old.append(field)
    return old
