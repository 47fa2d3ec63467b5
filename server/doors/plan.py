"""Which doors a walk list proposes today, from the outcomes already recorded. Pure, no I/O.

A door refused today is not proposed again that day (the resident said no; knocking again is
harassment). A door where someone said "come back later" is proposed, at the end of the walk.
Every other door is proposed in the walking order.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Literal, TypeVar

Outcome = Literal["not_home", "opened", "refused", "later", "contact"]
OUTCOMES: tuple[str, ...] = ("not_home", "opened", "refused", "later", "contact")
# Outcomes where someone came to the door: they count as "opened" in coverage and reports.
OPENED: frozenset[str] = frozenset({"opened", "refused", "later", "contact"})

D = TypeVar("D")


def split_for_today(doors: Iterable[D], door_id, latest_today: Mapping[int, str]) -> tuple[list[D], list[D]]:
    """(doors to walk now, doors to come back to at the end); refused doors are in neither.
    `latest_today`: address id -> its latest outcome of the day."""
    now: list[D] = []
    later: list[D] = []
    for door in doors:
        outcome = latest_today.get(door_id(door))
        if outcome == "refused":
            continue
        (later if outcome == "later" else now).append(door)
    return now, later


def tally(outcomes: Iterable[str]) -> dict[str, int]:
    """Doors knocked, opened and new contacts from a volunteer's outcomes, as a tour report counts them."""
    counts = {"doors_knocked": 0, "doors_opened": 0, "contacts": 0}
    for outcome in outcomes:
        counts["doors_knocked"] += 1
        counts["doors_opened"] += outcome in OPENED
        counts["contacts"] += outcome == "contact"
    return counts
