"""Which team to send to which polling station, and why: a greedy match of teams to stations.

Each pair is worth the station's priority score (see server/priorities/ranking.py) discounted by
the walk: value = score / (1 + km / WALK_KM), so a station a kilometre away is worth half as much
as one at the team's feet. Candidates are the stations nobody canvassed in the window and no team
is assigned to. The best pair overall is taken first, then the best among what is left, so two
teams are never sent to the same place. Teams out in the street (with a live member, so a
position) are matched first: they are the ones HQ can send now. A team with no live member is
matched after them, on the bare score, and listed so that HQ knows the distance is unknown;
otherwise a team at home would outrank, and take the station from, a team 200 m away.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

from server.addresses.walk import WALK_M_PER_MIN
from server.dispatch.schemas import Suggestion
from server.priorities.schemas import StationPriority

WALK_KM = 1.0
CANDIDATES = 300  # the best stations considered: enough for hundreds of teams, bounded work


@dataclass
class TeamPosition:
    id: int
    name: str
    current: str | None
    position: tuple[float, float] | None  # lon, lat: the mean of its live members
    live_members: int


def metres(a: tuple[float, float], b: tuple[float, float]) -> float:
    lon1, lat1, lon2, lat2 = map(math.radians, (*a, *b))
    h = math.sin((lat2 - lat1) / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    return 2 * 6_371_000 * math.asin(math.sqrt(h))


def suggest(teams: list[TeamPosition], stations: list[StationPriority], taken: set[str]) -> list[Suggestion]:
    candidates = [s for s in stations
                  if s.score is not None and s.visits.volunteers == 0 and s.code not in taken][:CANDIDATES]
    used_stations: set[str] = set()
    out: list[Suggestion] = []
    for group in ([t for t in teams if t.position], [t for t in teams if not t.position]):
        out += _greedy(group, candidates, used_stations)
    return out


def _greedy(teams: list[TeamPosition], candidates: list[StationPriority], used_stations: set[str]) -> list[Suggestion]:
    pairs = []
    for t in teams:
        for s in candidates:
            if s.code in used_stations:
                continue
            d = metres(t.position, (s.lon, s.lat)) if t.position else None
            value = s.score / (1 + d / 1000 / WALK_KM) if d is not None else s.score
            pairs.append((value, t.id, s.code, t, s, d))
    pairs.sort(key=lambda p: (-p[0], p[1], p[2]))
    used_teams: set[int] = set()
    out = []
    for _value, tid, code, t, s, d in pairs:
        if tid in used_teams or code in used_stations:
            continue
        used_teams.add(tid)
        used_stations.add(code)
        out.append(Suggestion(team=t.id, team_name=t.name, station=s.code, station_name=s.name, score=s.score,
                              distance_m=None if d is None else round(d), live_members=t.live_members,
                              current=t.current, why=_why(s, d, t)))
        if len(used_teams) == len(teams):
            break
    return out


def _why(s: StationPriority, d: float | None, t: TeamPosition) -> list[str]:
    why = [r for r in s.reasons]
    if d is None:
        why.append("no live position for this team: distance unknown")
    else:
        why.append(f"{d / 1000:.1f} km from the team (about {max(1, round(d / WALK_M_PER_MIN))} min on foot)")
    if t.current:
        why.append(f"the team is assigned to {t.current} now")
    return why
