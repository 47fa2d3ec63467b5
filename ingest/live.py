"""Live state in Redis for the ingest pipeline: publishing deltas, the latest state per
volunteer, and removing a volunteer who paused sharing."""

from __future__ import annotations

import logging
import time

import orjson
import redis.asyncio as aioredis

from server.events import DEFAULT_PREFIX, live_channel, pause_event, resume_event, volunteer_state_key

log = logging.getLogger("ingest.live")


# One round trip per tick: publish every delta on the campaign's channel, then store each
# volunteer's latest state, and push back the hash's expiry (it holds positions: it must not
# outlive its use if nothing removes it). ARGV: channel, expiry in ms, number of deltas m,
# m deltas, then field/value pairs.
_LIVE_LUA = """
local ch = ARGV[1]
local m = tonumber(ARGV[3])
for i = 4, m + 3 do redis.call('PUBLISH', ch, ARGV[i]) end
for i = m + 4, #ARGV, 2 do redis.call('HSET', KEYS[1], ARGV[i], ARGV[i + 1]) end
if #ARGV > m + 3 then redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
return m
"""


class LivePublisher:
    """One Redis round trip per tick and campaign, with a short circuit breaker: when Redis is
    down, live updates are skipped (and logged) for a second at a time instead of slowing
    every tick with timeouts."""

    def __init__(self, redis: aioredis.Redis, prefix: str = DEFAULT_PREFIX, state_ttl_s: float = 3600.0) -> None:
        self._redis = redis
        self._prefix = prefix
        self._state_ttl_ms = int(state_ttl_s * 1000)
        self._script = redis.register_script(_LIVE_LUA)
        self._down_until = 0.0
        self._last_log = 0.0
        self.ok = True

    async def publish(self, campaign_id: int, deltas: list[bytes], states: list) -> None:
        """deltas in publication order; states: [field, value, field, value, …]."""
        now = time.monotonic()
        if now < self._down_until or not deltas:
            return
        try:
            await self._script(
                keys=[volunteer_state_key(campaign_id, self._prefix)],
                args=[live_channel(campaign_id, self._prefix), self._state_ttl_ms, len(deltas), *deltas, *states],
            )
            if not self.ok:
                log.info("Redis live updates resumed")
            self.ok = True
        except Exception as exc:  # noqa: BLE001 - Redis must never stop storage and acks
            self.ok = False
            self._down_until = time.monotonic() + 1.0
            if now - self._last_log > 5:
                self._last_log = now
                log.warning("Redis live update failed (%s: %s); pings are still stored", type(exc).__name__, exc)

    async def remove(self, campaign_id: int, user_id: int) -> None:
        """A volunteer paused sharing: drop their live state and tell HQ to take them off the map.
        Raises when Redis is down, so that the volunteer is told the pause did not reach HQ."""
        pipe = self._redis.pipeline(transaction=True)
        pipe.hdel(volunteer_state_key(campaign_id, self._prefix), str(user_id))
        pipe.publish(live_channel(campaign_id, self._prefix), pause_event(user_id))
        await pipe.execute()

    async def drop_state(self, campaign_id: int, user_id: int) -> None:
        """Remove the volunteer's live state (their shift ended elsewhere; HQ was told there)."""
        try:
            await self._redis.hdel(volunteer_state_key(campaign_id, self._prefix), str(user_id))
        except Exception as exc:  # noqa: BLE001 - the state expires anyway (live_state_ttl_s)
            log.warning("live state of %s not removed: %s: %s", user_id, type(exc).__name__, exc)

    async def resumed(self, campaign_id: int, user_id: int) -> None:
        """A volunteer resumed sharing: an activity event for HQ (their next ping shows them)."""
        try:
            await self._redis.publish(live_channel(campaign_id, self._prefix), resume_event(user_id))
        except Exception as exc:  # noqa: BLE001 - only the activity feed misses it
            log.warning("resume not published: %s: %s", type(exc).__name__, exc)

    async def volunteer_states(self, user_ids: dict[int, list[int]]) -> dict[tuple[int, int], dict]:
        """(campaign id, user id) -> latest state, for {campaign id: [user ids]}: one round
        trip (an HMGET per campaign, pipelined); {} when Redis is down."""
        if time.monotonic() < self._down_until or not user_ids:
            return {}
        pipe = self._redis.pipeline(transaction=False)
        for cid, uids in user_ids.items():
            pipe.hmget(volunteer_state_key(cid, self._prefix), [str(u) for u in uids])
        try:
            replies = await pipe.execute()
            return {
                (cid, uid): orjson.loads(raw)
                for (cid, uids), found in zip(user_ids.items(), replies)
                for uid, raw in zip(uids, found)
                if raw
            }
        except Exception as exc:  # noqa: BLE001 - the volunteers go on with what was known
            log.warning("Redis state read failed: %s: %s", type(exc).__name__, exc)
            return {}

    async def volunteer_state(self, campaign_id: int, user_id: int) -> dict | None:
        if time.monotonic() < self._down_until:
            return None
        try:
            raw = await self._redis.hget(volunteer_state_key(campaign_id, self._prefix), str(user_id))
            return orjson.loads(raw) if raw else None
        except Exception as exc:  # noqa: BLE001
            log.warning("Redis state read failed: %s: %s", type(exc).__name__, exc)
            return None
