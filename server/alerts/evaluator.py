"""The alert evaluator: a task in the HQ server's lifespan that, every `alerts_every_s`, reads who
is on shift (PostGIS) and their live state (Redis, as ingest writes it), raises the alerts whose
condition holds (server/alerts/rules.py) and clears those whose cause ended, telling HQ's feed.

Several HQ processes may run it at once: raising is idempotent (one open alert per volunteer and
kind, a unique index), and clearing an alert twice changes nothing.
"""

from __future__ import annotations

import asyncio
import logging
import time

import asyncpg
import orjson
import redis.asyncio as aioredis

from server.alerts import live, queries
from server.alerts.rules import OnShift, Thresholds, Tracker, conditions
from server.events import DEFAULT_PREFIX, volunteer_state_key
from server.shifts.queries import on_shift

log = logging.getLogger("server.alerts")


async def live_states(redis: aioredis.Redis, campaign_id: int, prefix: str = DEFAULT_PREFIX) -> dict[int, dict]:
    out = {}
    for key, raw in (await redis.hgetall(volunteer_state_key(campaign_id, prefix))).items():
        try:
            out[int(key)] = orjson.loads(raw)
        except (ValueError, orjson.JSONDecodeError):
            continue
    return out


async def evaluate_campaign(
    conn: asyncpg.Connection,
    redis: aioredis.Redis,
    campaign_id: int,
    tracker: Tracker,
    max_hours: float,
    now: float | None = None,
    prefix: str = DEFAULT_PREFIX,
) -> tuple[list, list]:
    """Raise and clear one campaign's alerts now; returns (raised, cleared)."""
    now = time.time() if now is None else now
    th = await queries.thresholds(conn, campaign_id)
    shifts = [
        OnShift(s.volunteer, s.team, s.started_at.timestamp()) for s in await on_shift(conn, campaign_id, max_hours)
    ]
    teams = {s.volunteer: s.team for s in shifts}
    states = await live_states(redis, campaign_id, prefix)
    holding = conditions(
        now, shifts, states, Thresholds(th.out_of_zone_min, th.idle_min, th.stale_min, th.low_battery), tracker
    )
    open_now = await queries.open_auto(conn, campaign_id)
    raised, cleared = [], []
    for (v, kind), detail in holding.items():
        if (v, kind) in open_now:
            continue
        st = states.get(v) or {}
        a = await queries.raise_alert(conn, campaign_id, v, kind, teams.get(v), st.get("lon"), st.get("lat"), detail)
        if a:
            raised.append(a)
            await live.publish_alert(redis, campaign_id, a, "raised", prefix)
    ended = [aid for key, aid in open_now.items() if key not in holding]
    if ended:
        for a in await queries.clear(conn, campaign_id, ended):
            cleared.append(a)
            await live.publish_alert(redis, campaign_id, a, "cleared", prefix)
    return raised, cleared


async def run(
    pool: asyncpg.Pool, redis: aioredis.Redis, every_s: float, max_hours: float, prefix: str = DEFAULT_PREFIX
) -> None:
    trackers: dict[int, Tracker] = {}
    while True:
        try:
            async with pool.acquire() as conn:
                for cid in await queries.campaigns_on_shift(conn, max_hours):
                    await evaluate_campaign(
                        conn, redis, cid, trackers.setdefault(cid, Tracker()), max_hours, prefix=prefix
                    )
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # noqa: BLE001 - PostgreSQL or Redis down: try again next round
            log.warning("alerts not evaluated: %s: %s", type(exc).__name__, exc)
        await asyncio.sleep(every_s)
