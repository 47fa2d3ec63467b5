"""Pure pieces of the live feed: decoding Redis messages, scopes, and coalesced frames.

A volunteer's state is kept as the JSON bytes ingest published, plus the few fields the hub needs
(id, district, team, times). Frames splice those bytes as they are: a frame costs one join per
scope, not one encode per volunteer per viewer.
"""

from __future__ import annotations

from typing import Any, NamedTuple

import orjson

from server.live.viewport import Box

MAX_EVENTS = 500  # enter/exit events kept per frame; a viewer stuck for long keeps the newest


class VState:
    __slots__ = ("v", "raw", "ds", "team", "ps", "zone", "t", "rt", "ev", "lon", "lat", "cell", "binary")

    def __init__(self, obj: dict, raw: bytes | None = None) -> None:
        self.v: int = int(obj["v"])
        self.raw = raw if raw is not None else orjson.dumps(obj)
        self.ds = obj.get("ds")
        self.team = obj.get("team")
        self.ps = obj.get("ps")  # station and in/out of it: campaign-wide totals (totals.py)
        self.zone = obj.get("zone")
        self.t = float(obj.get("t") or 0.0)
        self.rt = float(obj.get("rt") or 0.0)  # server receive time, ms: staleness uses the server's clock
        self.ev = obj.get("ev")
        lon, lat = obj.get("lon"), obj.get("lat")  # for viewports (viewport.py)
        self.lon = float(lon) if lon.__class__ in (int, float) else None
        self.lat = float(lat) if lat.__class__ in (int, float) else None
        self.cell: tuple[int, int] | None = None  # (res, H3 cell) of the last aggregate it was counted in
        self.binary: Any = None  # its binary record's fields, parsed once for every viewer (binary.py)


class Activity:
    """A shift started or ended, a pause, a resume, a tour report or a door outcome: passed to HQ's activity feed
    as published. District and team (for scoped viewers) come from the event when it has them (a
    report names its station's district), else from the volunteer's last state."""

    __slots__ = ("v", "raw", "ds", "team")

    def __init__(self, obj: dict, raw: bytes | None = None) -> None:
        self.v: int = int(obj["v"])
        self.raw = raw if raw is not None else orjson.dumps(obj)
        self.ds = obj.get("ds")
        self.team = obj.get("team")


def decode(data: bytes) -> list[tuple[str, object]]:
    """One Redis message → [("ping", VState) | ("event", Activity) | ("gone", volunteer id)].
    An event comes before the "gone" it causes, while the volunteer's district is still known.

    Ingest publishes one delta per message today; a JSON array or {"type": "batch", "deltas": [...]}
    is accepted too, so that ingest may batch publishes without a change here. Unknown types are
    ignored: new message kinds must not break older servers.
    """
    obj = orjson.loads(data)
    if isinstance(obj, dict) and obj.get("type") != "batch":
        return _one(obj, data)
    items = obj if isinstance(obj, list) else (obj.get("deltas") or obj.get("pings") or obj.get("items") or [])
    out: list[tuple[str, object]] = []
    for item in items:
        if isinstance(item, dict):
            out.extend(_one(item, None))
    return out


def _one(obj: dict, raw: bytes | None) -> list[tuple[str, object]]:
    kind = obj.get("type", "ping")
    try:
        if kind == "ping":
            return [("ping", VState(obj, raw))]
        if kind == "pause" or (kind == "shift" and not obj.get("on")):
            return [("event", Activity(obj, raw)), ("gone", int(obj["v"]))]
        if kind in ("shift", "resume", "report", "door", "turf_finished"):
            return [("event", Activity(obj, raw))]  # the next ping brings the volunteer back
        if kind in ("gone", "remove"):
            return [("gone", int(obj["v"]))]
    except (KeyError, TypeError, ValueError):
        pass  # a malformed delta: skip it, never stop the reader
    return []  # future kinds: ignored


class Scope(NamedTuple):
    """What one viewer watches inside its campaign: everything, one district, or one team; and,
    once it sent its view, only what lies in the view and its margin (viewport.py), one by one."""

    district: str | None = None
    team: int | None = None
    box: Box | None = None

    def admits_event(self, st: VState | Activity | None) -> bool:
        """District and team only: the activity feed tells of the whole scope, view or not."""
        if st is None:
            return False
        return (self.district is None or st.ds == self.district) and (self.team is None or st.team == self.team)

    def admits(self, st: VState | None) -> bool:
        if not self.admits_event(st):
            return False
        return self.box is None or self.box.contains(st.lon, st.lat)  # type: ignore[union-attr]


class Frame:
    """One tick's changes for one scope, encoded once and shared by every viewer of that scope."""

    __slots__ = ("t", "updates", "stale", "gone", "events", "out", "_text")

    def __init__(
        self,
        t: int,
        updates: dict[int, VState],
        stale: list[int],
        gone: list[int],
        events: list[VState | Activity],
        out: list[int] | None = None,
    ) -> None:
        self.t, self.updates, self.stale, self.gone, self.events = t, updates, stale, gone, events
        self.out = out or []  # left the viewer's view: drop the dot, nothing happened to them
        self._text: str | None = None

    def __bool__(self) -> bool:
        return bool(self.updates or self.stale or self.gone or self.events or self.out)

    @property
    def text(self) -> str:
        if self._text is None:
            self._text = encode(self.t, self.updates.values(), self.stale, self.gone, self.events, self.out)
        return self._text


def encode(t: int, updates, stale, gone, events, out=()) -> str:
    parts = [
        b'{"type":"deltas","t":',
        str(t).encode(),
        b',"volunteers":[',
        b",".join(st.raw for st in updates),
        b'],"stale":',
        orjson.dumps(list(stale)),
        b',"gone":',
        orjson.dumps(list(gone)),
    ]
    if events:
        parts += [b',"events":[', b",".join(st.raw for st in events), b"]"]
    if out:  # only for viewers that sent a view: older clients never see the key
        parts += [b',"out":', orjson.dumps(list(out))]
    parts.append(b"}")
    return b"".join(parts).decode()


class Backlog:
    """What a busy viewer has not been sent yet, merged frame after frame.

    Keyed by volunteer, so it never holds more than one state per volunteer however long the
    viewer stalls: its size is bounded by the campaign's volunteers, not by the ping rate.
    """

    __slots__ = ("t", "updates", "stale", "gone", "events", "out")

    def __init__(self) -> None:
        self.t = 0
        self.updates: dict[int, VState] = {}
        self.stale: set[int] = set()
        self.gone: set[int] = set()
        self.events: list[VState] = []
        self.out: set[int] = set()

    def merge(self, f: Frame) -> None:
        self.t = f.t
        for v, st in f.updates.items():
            self.updates[v] = st
            self.stale.discard(v)
            self.gone.discard(v)
            self.out.discard(v)
        for v in f.out:
            self.updates.pop(v, None)
            self.stale.discard(v)
            self.out.add(v)
        for v in f.stale:
            self.stale.add(v)  # applied after the update in the same frame: still correct
        for v in f.gone:
            self.updates.pop(v, None)
            self.stale.discard(v)
            self.gone.add(v)
        if f.events:
            self.events.extend(f.events)
            del self.events[:-MAX_EVENTS]

    def __len__(self) -> int:
        return len(self.updates) + len(self.stale) + len(self.gone) + len(self.events) + len(self.out)

    def frame(self) -> Frame:
        return Frame(self.t, self.updates, sorted(self.stale), sorted(self.gone), self.events, sorted(self.out))
