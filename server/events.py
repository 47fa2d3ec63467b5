"""The live vocabulary: every Redis key and channel name, every event published on them, and
the one pub/sub loop that survives Redis restarts.

Two channels per campaign carry JSON objects, each with a "type" (the envelope):
- the live channel, to HQ's live map (server/live/hub.py): `ping` (a volunteer's fix, also
  stored as their latest state in the volunteer-state hash), `pause`, `resume`, `shift`, `report`,
  `door`, `turf_finished`, `alert`;
- the dispatch channel, to ingest's relay (ingest/relay.py): `assignment`, and `alert` for the
  alerted team's coordinator, whose phone page gets it if open;
- the access channel, to every ingest process (ingest/relay.py): `revoked`, a person removed
  from the campaign: their cached logins are forgotten and their open sockets closed;
- the duty channel, to every ingest process (ingest/relay.py): `shift_end`, so that a shift
  ended anywhere (HQ, the HTTP API, a timeout, consent withdrawn) stops that volunteer's pings
  at once on every process, and their open websocket is told.
Publishers build events only here, so a reader of this module knows everything HQ can hear.

Names are `<prefix>:{c:<campaign id>}:<what>`: hash-tagged by campaign so that Redis Cluster keeps
one campaign's keys on one shard, and prefixed (QUADRILLER_REDIS_PREFIX, default "q") so that
two stacks sharing one Redis never see each other's live state.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import re
import time
from collections.abc import Awaitable, Callable
from typing import Any, Literal, TypedDict

import orjson
import redis.asyncio as aioredis

log = logging.getLogger("server.events")

DEFAULT_PREFIX = "q"


# --- names -------------------------------------------------------------------------------------


def _tag(campaign_id: int, prefix: str) -> str:
    return f"{prefix}:{{c:{campaign_id}}}"


def live_channel(campaign_id: int, prefix: str = DEFAULT_PREFIX) -> str:
    """Channel: every event for HQ's live map."""
    return f"{_tag(campaign_id, prefix)}:live"


def volunteer_state_key(campaign_id: int, prefix: str = DEFAULT_PREFIX) -> str:
    """Hash: volunteer id -> latest state (the newest `ping` event, JSON)."""
    return f"{_tag(campaign_id, prefix)}:vstate"


def dispatch_channel(campaign_id: int, prefix: str = DEFAULT_PREFIX) -> str:
    """Channel: assignments for the team members' phones (relayed by ingest)."""
    return f"{_tag(campaign_id, prefix)}:dispatch"


def dispatch_pattern(prefix: str = DEFAULT_PREFIX) -> str:
    """PSUBSCRIBE pattern matching every campaign's dispatch channel."""
    return f"{prefix}:{{c:*}}:dispatch"


def duty_channel(campaign_id: int, prefix: str = DEFAULT_PREFIX) -> str:
    """Channel: shift ends, heard by every ingest process (stop taking that volunteer's pings)."""
    return f"{_tag(campaign_id, prefix)}:duty"


def duty_pattern(prefix: str = DEFAULT_PREFIX) -> str:
    """PSUBSCRIBE pattern matching every campaign's duty channel."""
    return f"{prefix}:{{c:*}}:duty"


def channel_kind(channel: bytes | str) -> str:
    """The last part of one of the channel names above: "live", "dispatch", "duty"..."""
    text = channel.decode() if isinstance(channel, bytes) else channel
    return text.rsplit(":", 1)[-1]


def access_channel(campaign_id: int, prefix: str = DEFAULT_PREFIX) -> str:
    """Channel: people removed from the campaign, heard by every ingest process."""
    return f"{_tag(campaign_id, prefix)}:access"


def access_pattern(prefix: str = DEFAULT_PREFIX) -> str:
    """PSUBSCRIBE pattern matching every campaign's access channel."""
    return f"{prefix}:{{c:*}}:access"


def campaign_of_channel(channel: bytes | str, prefix: str = DEFAULT_PREFIX) -> int | None:
    """The campaign id in one of the channel names above, or None if it is not one of ours."""
    text = channel.decode() if isinstance(channel, bytes) else channel
    m = re.fullmatch(re.escape(prefix) + r":\{c:(\d+)\}:[a-z]+", text)
    return int(m[1]) if m else None


def areas_version_key(campaign_id: int, prefix: str = DEFAULT_PREFIX) -> str:
    return f"{_tag(campaign_id, prefix)}:areas_version"


def hub_control_channel(instance: str, prefix: str = DEFAULT_PREFIX) -> str:
    """A channel of one live hub's own, keeping its connection subscribed while no one watches."""
    return f"{prefix}:live-hub:{instance}"


# --- events on the live channel ----------------------------------------------------------------


class PingEvent(TypedDict):
    """A volunteer's fix, as published and stored as their latest state (docs/protocol.md,
    "Live delta")."""

    type: Literal["ping"]
    v: int  # volunteer (user) id
    team: int | None
    seq: int
    t: float  # device time, epoch seconds
    rt: int  # server receive time, epoch milliseconds
    lon: float
    lat: float
    acc: float | None
    hdg: float | None
    spd: float | None  # m/s
    bat: float | None  # 0..1
    cell: str  # H3 res 11, hex string
    ps: str | None  # polling-station code
    nb: str | None  # neighbourhood code
    ds: str | None  # district code
    zone: Literal["in", "out"] | None
    ev: Literal["enter", "exit"] | None
    low_acc: bool


def ping_event(
    v: int,
    team: int | None,
    seq: int,
    t: float,
    rt: int,
    lon: float,
    lat: float,
    acc: float | None,
    hdg: float | None,
    spd: float | None,
    bat: float | None,
    cell: int,
    ps: str | None,
    nb: str | None,
    ds: str | None,
    zone: str | None,
    ev: str | None,
    low_acc: bool,
) -> bytes:
    # Built per published fix on ingest's hot path: a plain dict to orjson, no validation.
    return orjson.dumps(
        {
            "type": "ping",
            "v": v,
            "team": team,
            "seq": seq,
            "t": t,
            "rt": rt,
            "lon": lon,
            "lat": lat,
            "acc": acc,
            "hdg": hdg,
            "spd": spd,
            "bat": bat,
            "cell": format(cell, "x"),
            "ps": ps,
            "nb": nb,
            "ds": ds,
            "zone": zone,
            "ev": ev,
            "low_acc": low_acc,
        }
    )


def pause_event(v: int) -> bytes:
    """The volunteer paused sharing: HQ takes them off the map."""
    return orjson.dumps({"type": "pause", "v": v})


def resume_event(v: int) -> bytes:
    """The volunteer resumed sharing (their next ping shows them)."""
    return orjson.dumps({"type": "resume", "v": v})


def removed_event(volunteers: list[int]) -> bytes:
    """Live states deleted without a shift ending (retention's expiry, an erase): every HQ process
    drops them from its in-memory feed (server/live/feed.py), which serves snapshots without
    re-reading the hash, so that a deleted position is never shown again."""
    return orjson.dumps({"type": "batch", "deltas": [{"type": "gone", "v": v} for v in volunteers]})


def shift_started_event(v: int, shift: int, since: float, team: int | None) -> bytes:
    return orjson.dumps(
        {"type": "shift", "v": v, "on": True, "shift": shift, "since": since, "team": team, "at": time.time()}
    )


def shift_ended_event(v: int, shift: int, by: str | None) -> bytes:
    return orjson.dumps({"type": "shift", "v": v, "on": False, "shift": shift, "by": by, "at": time.time()})


def report_event(
    v: int,
    team: int | None,
    district: str | None,
    report: int,
    station: str | None,
    knocked: int,
    opened: int,
    contacts: int,
) -> bytes:
    return orjson.dumps(
        {
            "type": "report",
            "v": v,
            "team": team,
            "ds": district,
            "report": report,
            "station": station,
            "knocked": knocked,
            "opened": opened,
            "contacts": contacts,
            "at": time.time(),
        }
    )


def door_event(
    v: int, team: int | None, district: str | None, door: int, station: str | None, outcome: str, visited: float
) -> bytes:
    """A door outcome (server/doors): not home, opened, refused, later, new contact."""
    return orjson.dumps(
        {
            "type": "door",
            "v": v,
            "team": team,
            "ds": district,
            "door": door,
            "station": station,
            "outcome": outcome,
            "visited": visited,
            "at": time.time(),
        }
    )


def turf_finished_event(v: int, team: int, district: str | None, station: str, turf: int, turf_id: int) -> bytes:
    """Every door of team `team`'s turf (number `turf` of `station`) has an outcome, the last one
    from volunteer `v`: dispatch suggests the team its next target."""
    return orjson.dumps(
        {
            "type": "turf_finished",
            "v": v,
            "team": team,
            "ds": district,
            "station": station,
            "turf": turf,
            "turf_id": turf_id,
            "at": time.time(),
        }
    )


def alert_event(alert: dict, what: str) -> bytes:
    """An alert raised, acknowledged ("acked") or cleared (server/alerts)."""
    return orjson.dumps({"type": "alert", "what": what, "alert": alert})


# --- events on the duty channel ----------------------------------------------------------------


def shift_end_order(v: int, shift: int, since: float, by: str | None) -> bytes:
    """Shift `shift` of volunteer `v` (started at `since`, epoch seconds) ended, by `by`."""
    return orjson.dumps({"type": "shift_end", "v": v, "shift": shift, "since": since, "by": by})


# --- events on the access channel --------------------------------------------------------------


def access_revoked_event(user: int) -> bytes:
    """User `user` is no longer a member of the campaign: refuse and disconnect them."""
    return orjson.dumps({"type": "revoked", "user": user})


# --- events on the dispatch channel ------------------------------------------------------------


def assignment_event(
    team: int, members: list[int], station: str, name: str | None, area_id: int, lon: float, lat: float, since: float
) -> bytes:
    return orjson.dumps(
        {
            "type": "assignment",
            "team": team,
            "members": members,
            "station": station,
            "name": name,
            "area": area_id,
            "lon": lon,
            "lat": lat,
            "since": since,
        }
    )


def coordinator_alert_event(to: int, alert: dict) -> bytes:
    """An alert raised in a team: to its coordinator's phone (user `to`), as well as HQ's feed."""
    return orjson.dumps({"type": "alert", "to": to, "alert": alert})


# --- publishing and listening ------------------------------------------------------------------


async def publish_best_effort(redis: aioredis.Redis, channel: str, message: bytes, what: str) -> bool:
    """Publish a message about something already stored in PostgreSQL (the truth): a Redis
    failure is logged and reported as False (the caller tells its client "not notified"), never
    raised, so that it cannot undo or fail the stored change."""
    try:
        await redis.publish(channel, message)
        return True
    except Exception as exc:  # noqa: BLE001 - Redis down: stored all the same
        log.warning("%s not published: %s: %s", what, type(exc).__name__, exc)
        return False


async def listen_forever(
    redis: aioredis.Redis,
    what: str,
    subscribe: Callable[[Any], Awaitable[None]],
    on_message: Callable[[bytes, bytes], None],
    on_reconnect: Callable[[], Awaitable[None]] | None = None,
    on_lost: Callable[[], None] | None = None,
) -> None:
    """One pub/sub connection, kept for good: `subscribe(pubsub)` after every (re)connection,
    `on_message(channel, data)` for each message (plain or pattern), `on_reconnect()` after a
    reconnection (messages were missed meanwhile: resynchronise), `on_lost()` when the
    connection drops. Redis down: retried with a backoff from 0.2 to 5 s, forever, because
    the callers (the live hub, the dispatch relay) have no other way to hear events."""
    delay, connected_before = 0.2, False
    while True:
        pubsub = redis.pubsub(ignore_subscribe_messages=True)
        try:
            await subscribe(pubsub)
            if connected_before and on_reconnect is not None:
                log.info("%s reconnected to Redis", what)
                await on_reconnect()
            connected_before, delay = True, 0.2
            async for message in pubsub.listen():
                if message["type"] in ("message", "pmessage"):
                    on_message(message["channel"], message["data"])
        except asyncio.CancelledError:
            with contextlib.suppress(Exception):
                await pubsub.aclose()
            raise
        except Exception as exc:  # noqa: BLE001 - Redis down: retry, the callers keep running
            log.warning("%s lost Redis (%s: %s); retrying in %.1fs", what, type(exc).__name__, exc, delay)
        if on_lost is not None:
            on_lost()
        with contextlib.suppress(Exception):
            await pubsub.aclose()
        await asyncio.sleep(delay)
        delay = min(delay * 2, 5.0)
