"""Suggestions: teams and target values in, explained suggestions out (server/dispatch/solver.py
does the matching). Pure: no I/O, so the benchmark times exactly what the server computes.

Each suggestion explains itself in one line a coordinator can check at a glance:
"Team Belleville → 20-12: rank 14 of 902, 18 % covered, 650 m, 8 min walk", and for a team that
has just finished its turf, "Team Belleville: finished turf 3 of 20-12 → 20-14: …".
"""

from __future__ import annotations

from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field

import numpy as np

from server.addresses.walk import WALK_M_PER_MIN
from server.dispatch.schemas import Suggestion
from server.dispatch.solver import Bans, Match, Rules, Targets, Teams, greedy, solve


@dataclass
class TeamPosition:
    id: int
    name: str
    current: str | None
    position: tuple[float, float] | None  # lon, lat: the mean of its live members
    live_members: int
    home: str | None = None  # home district code, if the campaign set one
    finished: str | None = None  # "turf 3 of 20-12": every door of its turf has an outcome


@dataclass
class TargetValue:
    """What dispatch needs to know of a target: the one interface a value model fills
    (today the priorities ranking, see server/dispatch/values.py)."""

    code: str
    name: str | None
    lon: float
    lat: float
    value: float  # remaining value: after canvassing done, before teams assigned now
    rank: int
    covered: float | None = None  # share of its doors knocked, 0..1, when known
    district: str | None = None
    capacity: int = 1  # teams it can take at once (its turfs, when cut)
    taken: int = 0  # teams assigned there now
    reasons: list[str] = field(default_factory=list)


def _codes(values: list[str | None], index: dict[str, int]) -> np.ndarray:
    return np.array([index.setdefault(v, len(index)) if v is not None else -1 for v in values], int)


def arrays(teams: list[TeamPosition], targets: list[TargetValue]) -> tuple[Teams, Targets]:
    districts: dict[str, int] = {}
    tgt = Targets(
        lon=np.array([t.lon for t in targets], float),
        lat=np.array([t.lat for t in targets], float),
        value=np.array([max(0.0, t.value) for t in targets], float),
        capacity=np.array([t.capacity for t in targets], int),
        taken=np.array([t.taken for t in targets], int),
        district=_codes([t.district for t in targets], districts),
    )
    tms = Teams(
        lon=np.array([t.position[0] if t.position else np.nan for t in teams], float),
        lat=np.array([t.position[1] if t.position else np.nan for t in teams], float),
        district=_codes([t.home for t in teams], districts),
    )
    return tms, tgt


def bans(teams: list[TeamPosition], targets: list[TargetValue], held_back: AbstractSet[tuple[int, str]]) -> Bans:
    """(team id, station code) pairs held back -> the solver's bans (team index -> target indices)."""
    team_at = {t.id: i for i, t in enumerate(teams)}
    target_at = {t.code: j for j, t in enumerate(targets)}
    out: dict[int, list[int]] = {}
    for team, code in held_back:
        if team in team_at and code in target_at:
            out.setdefault(team_at[team], []).append(target_at[code])
    return {i: np.array(js, int) for i, js in out.items()}


def match(
    teams: list[TeamPosition],
    targets: list[TargetValue],
    rules: Rules,
    optimal: bool = True,
    held_back: AbstractSet[tuple[int, str]] = frozenset(),
) -> Match:
    tms, tgt = arrays(teams, targets)
    return (solve if optimal else greedy)(tms, tgt, rules, bans(teams, targets, held_back))


def suggest(
    teams: list[TeamPosition],
    targets: list[TargetValue],
    rules: Rules,
    held_back: AbstractSet[tuple[int, str]] = frozenset(),
) -> list[Suggestion]:
    """Explained suggestions; `held_back`: (team id, station code) pairs not to suggest (rejected
    a moment ago)."""
    m = match(teams, targets, rules, held_back=held_back)
    out = []
    for i, j, value, d, nth in zip(m.team, m.target, m.value, m.distance_m, m.nth):
        t, s = teams[i], targets[j]
        dist = None if np.isnan(d) else round(float(d))
        out.append(
            Suggestion(
                team=t.id,
                team_name=t.name,
                station=s.code,
                station_name=s.name,
                score=s.value,
                value=round(float(value), 2),
                rank=s.rank,
                covered=s.covered,
                distance_m=dist,
                walk_min=None if dist is None else max(1, round(dist / WALK_M_PER_MIN)),
                live_members=t.live_members,
                current=t.current,
                summary=summary(t, s, dist, len(targets)),
                why=why(t, s, dist, int(nth), rules),
                lon=s.lon,
                lat=s.lat,
                team_lon=t.position[0] if t.position else None,
                team_lat=t.position[1] if t.position else None,
            )
        )
    # teams in the street first (as matched), then by value
    out.sort(key=lambda s: (s.distance_m is None, -s.value))
    return out


def summary(t: TeamPosition, s: TargetValue, dist: int | None, n_targets: int) -> str:
    parts = [f"rank {s.rank} of {n_targets}"]
    if s.covered is not None:
        parts.append(f"{s.covered:.0%} covered".replace("%", " %"))
    parts.append("distance unknown" if dist is None else f"{dist:,} m, {max(1, round(dist / WALK_M_PER_MIN))} min walk")
    done = f": finished {t.finished}" if t.finished else ""
    return f"{t.name}{done} → {s.code}: " + ", ".join(parts)


def why(t: TeamPosition, s: TargetValue, dist: int | None, nth: int, rules: Rules) -> list[str]:
    out = [f"finished {t.finished}: every door has an outcome"] if t.finished else []
    out += s.reasons
    if dist is None:
        out.append("no live position for this team: distance unknown")
    else:
        out.append(f"{dist / 1000:.1f} km from the team (about {max(1, round(dist / WALK_M_PER_MIN))} min on foot)")
    if nth:
        out.append(f"a big station: team number {nth + 1} there (worth 1/{nth + 1} of the first)")
    if rules.home_bonus != 1.0 and t.home is not None and t.home == s.district:
        out.append(f"in the team's home district ({t.home})")
    if t.current and not t.finished:
        out.append(f"the team is assigned to {t.current} now")
    return out
