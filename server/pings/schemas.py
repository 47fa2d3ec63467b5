"""Shapes shared by the ingest service and the HQ side: the live delta and volunteer state.

The same JSON object is PUBLISHed on server.redis.live_channel(campaign) and stored as the
latest state in server.redis.volunteer_state_key(campaign), field str(volunteer id).
See docs/protocol.md ("Live delta").
"""
from __future__ import annotations

from typing import Literal, TypedDict

SOURCES = ("ws", "owntracks", "osmand")


class LiveDelta(TypedDict):
    type: Literal["ping"]
    v: int                 # volunteer (user) id
    team: int | None
    seq: int
    t: float               # device time, epoch seconds
    rt: int                # server receive time, epoch milliseconds
    lon: float
    lat: float
    acc: float | None
    hdg: float | None
    spd: float | None      # m/s
    bat: float | None      # 0..1
    cell: str              # H3 res 11, hex string
    ps: str | None         # polling-station code
    nb: str | None         # neighbourhood code
    ds: str | None         # district code
    zone: Literal["in", "out"] | None
    ev: Literal["enter", "exit"] | None
    low_acc: bool
