"""Assignments pushed to the phones of a team's members, the moment HQ sends the team.

One pattern subscription per ingest process to every campaign's dispatch channel (assignments are
rare: a few a minute, not worth per-campaign bookkeeping). A message names the team's members;
each member connected to this process gets an `assignment` frame, and the pipeline's copy of
their assignment changes at once (zone enter/exit events follow the new station without waiting
for the periodic refresh).
"""
from __future__ import annotations

import logging
from collections.abc import Callable

import orjson
import redis.asyncio as aioredis

from server.events import DEFAULT_PREFIX, campaign_of_channel, dispatch_pattern, listen_forever

log = logging.getLogger("ingest.assignments")


def assignment_frame(msg: dict) -> str:
    return orjson.dumps({"type": "assignment", "team": msg.get("team"), "station": msg.get("station"),
                         "name": msg.get("name"), "lon": msg.get("lon"), "lat": msg.get("lat"),
                         "since": msg.get("since")}).decode()


class AssignmentRelay:
    def __init__(self, redis: aioredis.Redis, on_assignment: Callable[[int, int, int, int], None],
                 prefix: str = DEFAULT_PREFIX) -> None:
        """on_assignment(campaign, user, team, area): update the pipeline's state."""
        self._redis = redis
        self._prefix = prefix
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
        campaign_id = campaign_of_channel(channel, self._prefix)
        try:
            msg = orjson.loads(data)
            team, area = int(msg["team"]), int(msg["area"])
            members = [int(u) for u in msg["members"]]
            if campaign_id is None:
                raise ValueError(channel)
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
        # Redis down: the pipeline's periodic refresh still applies assignments, later.
        await listen_forever(self._redis, "dispatch relay", self._subscribe, self.on_message)

    async def _subscribe(self, pubsub) -> None:
        await pubsub.psubscribe(dispatch_pattern(self._prefix))
