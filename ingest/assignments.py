"""Assignments pushed to the phones of a team's members, the moment HQ sends the team.

One pattern subscription per ingest process to every campaign's dispatch channel (assignments are
rare: a few a minute, not worth per-campaign bookkeeping). A message names the team's members;
each member connected to this process gets an `assignment` frame, and the pipeline's copy of
their assignment changes at once (zone enter/exit events follow the new station without waiting
for the periodic refresh).
"""
from __future__ import annotations

import asyncio
import contextlib
import logging
import re
from collections.abc import Callable

import orjson
import redis.asyncio as aioredis

log = logging.getLogger("ingest.assignments")

PATTERN = "q:{c:*}:dispatch"
_CAMPAIGN = re.compile(rb"\{c:(\d+)\}")


def assignment_frame(msg: dict) -> str:
    return orjson.dumps({"type": "assignment", "team": msg.get("team"), "station": msg.get("station"),
                         "name": msg.get("name"), "lon": msg.get("lon"), "lat": msg.get("lat"),
                         "since": msg.get("since")}).decode()


class AssignmentRelay:
    def __init__(self, redis: aioredis.Redis, on_assignment: Callable[[int, int, int, int], None]) -> None:
        """on_assignment(campaign, user, team, area): update the pipeline's state."""
        self._redis = redis
        self._on_assignment = on_assignment
        self._phones: dict[tuple[int, int], set[Callable[[str], None]]] = {}
        self.delivered = 0

    def register(self, campaign_id: int, user_id: int, send: Callable[[str], None]) -> Callable[[], None]:
        key = (campaign_id, user_id)
        self._phones.setdefault(key, set()).add(send)

        def unregister() -> None:
            sends = self._phones.get(key)
            if sends is not None:
                sends.discard(send)
                if not sends:
                    del self._phones[key]
        return unregister

    def on_message(self, channel: bytes, data: bytes) -> None:
        m = _CAMPAIGN.search(channel)
        try:
            msg = orjson.loads(data)
            campaign_id, team, area = int(m[1]), int(msg["team"]), int(msg["area"])
            members = [int(u) for u in msg["members"]]
        except (TypeError, ValueError, KeyError, orjson.JSONDecodeError):
            log.warning("undecodable dispatch message on %s", channel)
            return
        frame = assignment_frame(msg)
        for uid in members:
            self._on_assignment(campaign_id, uid, team, area)
            for send in list(self._phones.get((campaign_id, uid), ())):
                send(frame)
                self.delivered += 1

    async def run(self) -> None:
        delay = 0.2
        while True:
            pubsub = self._redis.pubsub(ignore_subscribe_messages=True)
            try:
                await pubsub.psubscribe(PATTERN)
                delay = 0.2
                async for message in pubsub.listen():
                    if message["type"] == "pmessage":
                        self.on_message(message["channel"], message["data"])
            except asyncio.CancelledError:
                with contextlib.suppress(Exception):
                    await pubsub.aclose()
                raise
            except Exception as exc:  # noqa: BLE001 - Redis down: the periodic refresh still applies
                log.warning("dispatch relay lost Redis (%s: %s); retrying in %.1fs", type(exc).__name__, exc, delay)
            with contextlib.suppress(Exception):
                await pubsub.aclose()
            await asyncio.sleep(delay)
            delay = min(delay * 2, 5.0)
