"""The ranking model, kept simple enough to explain to a coordinator in one sentence:

    score = potential / (1 + volunteers who already canvassed the station in the window)

(canvassed: pinged inside it on shift, or reported a tour of it; a volunteer who declined
tracking still counts through their report.)

The potential is the station's abstainers at the last election: registered voters who did not
vote, the pool a door-to-door visit can mobilise. With a list chosen it is weighted by that
list's share of the station's valid votes (abstainers are assumed to lean like the neighbours
who voted: a rough proxy, said as such). Dividing by 1 + volunteers gives diminishing returns:
the first team to knock on a station's doors matters most. Stations with no results rank last.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass
class StationFigures:
    code: str
    registered: int | None
    abstentions: int | None
    list_share: float | None
    volunteers: int


def potential(s: StationFigures, weighted: bool) -> float | None:
    if s.abstentions is None:
        return None
    if weighted:
        return None if s.list_share is None else s.abstentions * s.list_share
    return float(s.abstentions)


def score(s: StationFigures, weighted: bool) -> float | None:
    p = potential(s, weighted)
    return None if p is None else p / (1 + s.volunteers)


def reasons(s: StationFigures, weighted: bool, list_name: str | None, doors_knocked: int = 0) -> list[str]:
    out = []
    if s.abstentions is None:
        return ["no election results for this station"]
    rate = f" ({s.abstentions / s.registered:.0%} of registered)" if s.registered else ""
    out.append(f"{s.abstentions:,} abstainers at the last election{rate}")
    if weighted and s.list_share is not None:
        out.append(f"{list_name} won {s.list_share:.0%} of the votes here")
    out.append(
        "not canvassed in this period"
        if s.volunteers == 0
        else f"already canvassed by {s.volunteers} volunteer{'s' if s.volunteers > 1 else ''}"
    )
    if doors_knocked:
        out.append(f"{doors_knocked:,} doors knocked, as reported")
    return out


def rank_key(item: tuple[float | None, str]) -> tuple[int, float, str]:
    """Highest score first; stations without a score last; the code breaks ties."""
    sc, code = item
    return (1, 0.0, code) if sc is None else (0, -sc, code)
