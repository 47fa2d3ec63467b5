"""Which alert conditions hold now, from the volunteers on shift and their live state. Pure.

- out_of_zone: the live state's zone (worked out by ingest against the team's assignment) has
  been "out" for more than out_of_zone_min;
- idle: the volunteer has not moved more than IDLE_RADIUS_M for more than idle_min;
- stale: no ping for more than stale_min (or none at all since the shift started that long ago);
- low_battery: the last ping reported a battery level (0..1, OwnTracks / Traccar `batt`, the
  phone page where the browser tells) below low_battery.
A condition ends as soon as its cause does (back in zone, moving, pinging, charged), and the
alert is cleared then. "Since when" (out, still) is tracked in memory by `Tracker`: after a
restart an alert may come up to one threshold later, never falsely.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

IDLE_RADIUS_M = 50.0


@dataclass(frozen=True)
class Thresholds:
    out_of_zone_min: float = 10.0
    idle_min: float = 20.0
    stale_min: float = 10.0
    low_battery: float = 0.15


@dataclass(frozen=True)
class OnShift:
    volunteer: int
    team: int | None
    started_at: float  # epoch s


@dataclass
class Tracker:
    out_since: dict[int, float] = field(default_factory=dict)
    still: dict[int, tuple[float, float, float]] = field(default_factory=dict)  # lon, lat, since


def _metres(a: tuple[float, float], b: tuple[float, float]) -> float:
    kx = math.cos(math.radians((a[1] + b[1]) / 2)) * 111_320.0
    return math.hypot((a[0] - b[0]) * kx, (a[1] - b[1]) * 110_540.0)


def conditions(
    now: float, shifts: list[OnShift], states: dict[int, dict], th: Thresholds, tracker: Tracker
) -> dict[tuple[int, str], str]:
    """(volunteer, kind) -> a short detail, for every condition that holds at `now` (epoch s)."""
    out: dict[tuple[int, str], str] = {}
    for s in shifts:
        v, st = s.volunteer, states.get(s.volunteer)
        seen = float(st.get("rt") or 0) / 1000 if st else 0.0
        last = max(seen, s.started_at)
        stale = now - last > th.stale_min * 60
        if stale:
            out[(v, "stale")] = f"no ping for {(now - last) / 60:.0f} min"
        if not st or st.get("lon") is None:
            continue
        pos = (float(st["lon"]), float(st["lat"]))
        if st.get("zone") == "out":
            since = tracker.out_since.setdefault(v, now)
            if now - since > th.out_of_zone_min * 60:
                out[(v, "out_of_zone")] = f"out of the assigned area for {(now - since) / 60:.0f} min"
        else:
            tracker.out_since.pop(v, None)
        # A stale phone keeps its last zone and battery (a phone dying of a flat battery goes
        # stale: both alerts matter), but says nothing of moving: no idle alert from silence.
        anchor = tracker.still.get(v)
        if anchor is None or _metres(pos, anchor[:2]) > IDLE_RADIUS_M:
            tracker.still[v] = (*pos, now)
        elif now - anchor[2] > th.idle_min * 60 and not stale:
            out[(v, "idle")] = f"within {IDLE_RADIUS_M:.0f} m for {(now - anchor[2]) / 60:.0f} min"
        bat = st.get("bat")
        if isinstance(bat, (int, float)) and bat < th.low_battery:
            out[(v, "low_battery")] = f"battery at {bat:.0%}"
    on = {s.volunteer for s in shifts}
    for d in (tracker.out_since, tracker.still):
        for v in [v for v in d if v not in on]:
            del d[v]
    return out
