"""The time window that history, shifts, priorities, dispatch and reports take as query parameters.

Naive times are UTC; the default window is the start of the UTC day up to now.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, overload

from fastapi import Query
from pydantic import AfterValidator

from server.errors import InvalidInput

UTC = dt.UTC
MIN_YEAR, MAX_YEAR = 1900, 9000


@overload
def as_utc(value: dt.datetime) -> dt.datetime: ...
@overload
def as_utc(value: None) -> None: ...
def as_utc(value: dt.datetime | None) -> dt.datetime | None:
    """Naive -> UTC; aware -> converted to UTC. A time whose conversion leaves the calendar
    (0001-01-01T00:00:00+01:00 is in year 0) is bad input, not an OverflowError and a 500."""
    if value is None:
        return None
    try:
        value = value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
    except OverflowError:
        raise ValueError("date out of range") from None
    # Windows are shifted by days and steps downstream: keep well inside the calendar.
    if not MIN_YEAR <= value.year <= MAX_YEAR:
        raise ValueError(f"year must be between {MIN_YEAR} and {MAX_YEAR}")
    return value


# Every time a request carries: validated (a 422 naming the parameter) before a route sees it.
UtcDateTime = Annotated[dt.datetime, AfterValidator(as_utc)]
Since = Annotated[UtcDateTime | None, Query(description="ISO 8601; default: start of the UTC day of `until`")]
Until = Annotated[UtcDateTime | None, Query(description="ISO 8601; default: now")]


def window(
    since: dt.datetime | None, until: dt.datetime | None, max_s: float | None = None, now: dt.datetime | None = None
) -> tuple[dt.datetime, dt.datetime]:
    """The [since, until] window in UTC; naive times are taken as UTC."""
    until = as_utc(until or now or dt.datetime.now(UTC))
    if since is None:
        since = until.replace(hour=0, minute=0, second=0, microsecond=0)
        if since == until:  # exactly midnight: the day that just ended
            since -= dt.timedelta(days=1)
    since = as_utc(since)
    if since >= until:
        raise InvalidInput(f"since ({since.isoformat()}) must be before until ({until.isoformat()})")
    if max_s is not None and (until - since).total_seconds() > max_s:
        raise InvalidInput(f"the window is {(until - since).total_seconds() / 3600:.1f} h; at most {max_s / 3600:g} h")
    return since, until
