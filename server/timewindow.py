"""The time window that history, shifts, priorities, dispatch and reports take as query parameters.

Naive times are UTC; the default window is the start of the UTC day up to now.
"""
from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import Query

from server.errors import InvalidInput

Since = Annotated[dt.datetime | None, Query(description="ISO 8601; default: start of the UTC day of `until`")]
Until = Annotated[dt.datetime | None, Query(description="ISO 8601; default: now")]


def window(since: dt.datetime | None, until: dt.datetime | None, max_s: float | None = None,
           now: dt.datetime | None = None) -> tuple[dt.datetime, dt.datetime]:
    """The [since, until] window in UTC; naive times are taken as UTC."""
    utc = dt.UTC
    until = (until or now or dt.datetime.now(utc))
    until = until.replace(tzinfo=utc) if until.tzinfo is None else until.astimezone(utc)
    if since is None:
        since = until.replace(hour=0, minute=0, second=0, microsecond=0)
        if since == until:  # exactly midnight: the day that just ended
            since -= dt.timedelta(days=1)
    since = since.replace(tzinfo=utc) if since.tzinfo is None else since.astimezone(utc)
    if since >= until:
        raise InvalidInput(f"since ({since.isoformat()}) must be before until ({until.isoformat()})")
    if max_s is not None and (until - since).total_seconds() > max_s:
        raise InvalidInput(f"the window is {(until - since).total_seconds() / 3600:.1f} h; "
                           f"at most {max_s / 3600:g} h")
    return since, until
