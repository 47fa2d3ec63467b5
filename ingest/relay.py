"""What HQ tells the phones, relayed by every ingest process the moment it happens: a team's
assignment (dispatch channel) and a shift ended elsewhere (duty channel, server/events.py).

One pattern subscription per kind and per ingest process, to every campaign's channel (both are
rare: a few a minute, not worth per-campaign bookkeeping):
- `alert` (dispatch channel) names the alerted team's coordinator: their phone pages connected
  to this process get an `alert` frame (an SOS reaches them wherever they are);
- `assignment` names the team's members; each member connected to this process gets an
  `assignment` frame, and the pipeline's copy of their assignment changes at once (zone
  enter/exit events follow the new station without waiting for the periodic refresh);
- `revoked` (access channel: the person was removed from the campaign): their cached logins are
  forgotten and their open websockets on this process closed (1008);
- `shift_end` (HQ ended the shift, or the volunteer from the HTTP API, a timeout, consent
  withdrawn): the pipeline stops taking that volunteer's pings before it reads the next frame,
  and their open websockets on this process get a `shift` frame with state "off".
"""

from __future__ import annotations

import logging
from collections.abc import Callable

import orjson
import redis.asyncio as aioredis

from ingest.protocol import shift_frame
from server.events import (
    DEFAULT_PREFIX,
    access_pattern,
    campaign_of_channel,
    channel_kind,
    dispatch_pattern,
    duty_pattern,
    listen_forever,
)

log = logging.getLogger("ingest.relay")


def assignment_frame(msg: dict) -> str:
    return orjson.dumps(
        {
            "type": "assignment",
            "team": msg.get("team"),
            "station": msg.get("station"),
            "name": msg.get("name"),
            "lon": msg.get("lon"),
            "lat": msg.get("lat"),
            "since": msg.get("since"),
        }
    ).decode()


def alert_frame(alert: dict) -> str:
    keep = ("id", "kind", "volunteer", "volunteer_name", "team", "team_name", "lon", "lat", "detail", "raised_at")
    return orjson.dumps({"type": "alert", **{k: alert.get(k) for k in keep}}).decode()


class PhoneRelay:
    def __init__(
        self,
        redis: aioredis.Redis,
        on_assignment: Callable[[int, int, int, int], None],
        on_shift_end: Callable[[int, int, int], bool],
        on_revoked: Callable[[int, int], None],
        prefix: str = DEFAULT_PREFIX,
    ) -> None:
        """on_assignment(campaign, user, team, area): update the pipeline's state;
        on_shift_end(campaign, user, shift) -> whether that shift was open in this process;
        on_revoked(campaign, user): forget what authenticated them."""
        self._redis = redis
        self._prefix = prefix
        self._on_assignment = on_assignment
        self._on_shift_end = on_shift_end
        self._on_revoked = on_revoked
        # (campaign, user) -> {send(frame): close()} for each open websocket
        self._phones: dict[tuple[int, int], dict[Callable[[str], None], Callable[[], None]]] = {}
        self.delivered = 0

    def register(
        self, campaign_id: int, user_id: int, send: Callable[[str], None], close: Callable[[], None]
    ) -> Callable[[], None]:
        key = (campaign_id, user_id)
        self._phones.setdefault(key, {})[send] = close

        def unregister() -> None:
            sends = self._phones.get(key)
            if sends is not None:
                sends.pop(send, None)
                if not sends:
                    del self._phones[key]

        return unregister

    def on_message(self, channel: bytes, data: bytes) -> None:
        campaign_id = campaign_of_channel(channel, self._prefix)
        kind = channel_kind(channel)
        try:
            msg = orjson.loads(data)
            if campaign_id is None:
                raise ValueError(channel)
            if kind == "duty":
                self._shift_ended(campaign_id, int(msg["v"]), int(msg["shift"]), msg)
            elif kind == "access":
                self._revoked(campaign_id, int(msg["user"]))
            elif msg.get("type") == "alert":
                self._send(campaign_id, int(msg["to"]), alert_frame(msg["alert"]))
            else:
                self._assigned(campaign_id, int(msg["team"]), int(msg["area"]), [int(u) for u in msg["members"]], msg)
        except (TypeError, ValueError, KeyError, AttributeError, orjson.JSONDecodeError):
            log.warning("undecodable message on %s", channel)

    def _assigned(self, campaign_id: int, team: int, area: int, members: list[int], msg: dict) -> None:
        frame = assignment_frame(msg)
        for uid in members:
            self._on_assignment(campaign_id, uid, team, area)
            self._send(campaign_id, uid, frame)

    def _shift_ended(self, campaign_id: int, user_id: int, shift: int, msg: dict) -> None:
        if self._on_shift_end(campaign_id, user_id, shift):
            since = msg.get("since")
            self._send(
                campaign_id,
                user_id,
                shift_frame(False, shift, float(since) if since is not None else None, ended_by=msg.get("by")),
            )

    def _revoked(self, campaign_id: int, user_id: int) -> None:
        self._on_revoked(campaign_id, user_id)
        for close in list(self._phones.get((campaign_id, user_id), {}).values()):
            close()

    def _send(self, campaign_id: int, user_id: int, frame: str) -> None:
        for send in list(self._phones.get((campaign_id, user_id), {})):
            send(frame)
            self.delivered += 1

    async def run(self) -> None:
        # Redis down: the pipeline's periodic refresh still applies assignments and shift ends,
        # within `ingest_refresh_s`.
        await listen_forever(self._redis, "phone relay", self._subscribe, self.on_message)

    async def _subscribe(self, pubsub) -> None:
        await pubsub.psubscribe(
            dispatch_pattern(self._prefix), duty_pattern(self._prefix), access_pattern(self._prefix)
        )
