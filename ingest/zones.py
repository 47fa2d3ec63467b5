"""Zone transitions: is a volunteer in their team's assigned area, and did that just change?

Modelled on tile38's fence detection (internal/server/fence.go, `fenceMatch`), reduced to the one
fence that matters here, the assigned area: from the previous zone and whether the new fix is
inside, one of `enter`, `exit` (the news HQ's activity feed shows), `inside`, `outside`.
Pure: no I/O, no clock; the pipeline keeps each volunteer's zone between fixes.
"""

from __future__ import annotations

from typing import Literal

Zone = Literal["in", "out"]
Detect = Literal["enter", "exit", "inside", "outside"]


def is_inside(assigned: int, polling_station: int, neighbourhood: int, district: int) -> bool:
    """The assigned area may be of any level: the fix is inside if one of its areas is it."""
    return assigned == polling_station or assigned == neighbourhood or assigned == district


def detect(previous: Zone | None, inside: bool) -> Detect:
    """`previous` None means unknown (first fix, new assignment, new shift): a first fix inside
    is an entry, a first fix outside is no exit (nothing was left)."""
    if inside:
        return "inside" if previous == "in" else "enter"
    return "exit" if previous == "in" else "outside"


def transition(previous: Zone | None, inside: bool) -> tuple[Zone, Literal["enter", "exit"] | None]:
    """(the new zone, the event to publish or None)."""
    d = detect(previous, inside)
    return ("in" if inside else "out"), (d if d == "enter" or d == "exit" else None)
