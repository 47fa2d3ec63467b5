"""Starting and ending a shift, the same way from the HTTP API (server/shifts/routes.py) and from
a phone's websocket (ingest/duty.py): stored in PostgreSQL first, then told to HQ's live map.

Every start goes through `start`, which refuses it (ConsentRequired, 409 `consent_required`)
unless the volunteer stands by the current location-sharing text: the check lives here, not in
each caller, so no path (HTTP, websocket, simulator, demo) can track someone who has not agreed.

The database is the truth: a Redis failure comes back as `notified=False`, never as an error.
"""

from __future__ import annotations

import asyncpg
import redis.asyncio as aioredis

from server.consent import queries as consent_queries
from server.events import DEFAULT_PREFIX
from server.pings import queries as ping_queries
from server.shifts import live, queries
from server.shifts.schemas import Shift

_LOOK_UP = object()  # the team is read from the volunteer's assignment, if the shift is new


async def start(
    conn: asyncpg.Connection,
    redis: aioredis.Redis,
    campaign_id: int,
    user_id: int,
    max_hours: float,
    team: int | None | object = _LOOK_UP,
    prefix: str = DEFAULT_PREFIX,
) -> tuple[Shift, bool, bool]:
    """(the open shift, opened now, HQ told). A shift already open is returned as it is.
    Raises ConsentRequired without a standing consent to the current location text."""
    await consent_queries.require(conn, campaign_id, user_id)
    shift, created = await queries.start(conn, campaign_id, user_id, max_hours)
    if not created:
        return shift, False, True
    if team is _LOOK_UP:
        team, _ = await ping_queries.volunteer_assignment(conn, campaign_id, user_id)
    return shift, True, await live.publish_started(redis, campaign_id, shift, team, prefix)  # type: ignore[arg-type]


async def end(
    conn: asyncpg.Connection,
    redis: aioredis.Redis,
    campaign_id: int,
    shift_id: int,
    by: str,
    max_hours: float,
    prefix: str = DEFAULT_PREFIX,
) -> tuple[Shift | None, bool]:
    """(the ended shift, HQ told); (None, True) when it was not open (ended meanwhile)."""
    ended = await queries.end(conn, campaign_id, shift_id, by, max_hours)
    if ended is None:
        return None, True
    return ended, await live.publish_ended(redis, campaign_id, ended, prefix)


async def end_open(
    conn: asyncpg.Connection,
    redis: aioredis.Redis,
    campaign_id: int,
    user_id: int,
    by: str,
    max_hours: float,
    prefix: str = DEFAULT_PREFIX,
) -> tuple[Shift | None, bool]:
    """End the volunteer's open shift, if any: the hook for whatever ends tracking on the
    volunteer's behalf (consent withdrawn, access revoked). Like `end`, it reaches every ingest
    process at once (server/shifts/live.py). `by` must be one the shifts table accepts."""
    current = await queries.open_of_user(conn, campaign_id, user_id, max_hours)
    if current is None:
        return None, True
    return await end(conn, redis, campaign_id, current.id, by, max_hours, prefix)


async def time_out(
    conn: asyncpg.Connection, redis: aioredis.Redis, max_hours: float, prefix: str = DEFAULT_PREFIX
) -> int:
    """End every shift left open past `max_hours` (a phone that died), and tell it like any end:
    the live state goes, ingest stops the pings, HQ hears it. Returns how many ended."""
    ended = await queries.time_out(conn, max_hours)
    for campaign_id, shift in ended:
        await live.publish_ended(redis, campaign_id, shift, prefix)
    return len(ended)
