"""ingest/zones.py: the zone transition as a pure function of the previous zone and the new fix."""

from __future__ import annotations

import pytest

from ingest.zones import detect, is_inside, transition


@pytest.mark.parametrize(
    ("previous", "inside", "expected"),
    [
        (None, True, "enter"),  # first fix of a shift or assignment, inside: an entry
        (None, False, "outside"),  # first fix outside: nothing was left, no exit
        ("out", True, "enter"),
        ("in", True, "inside"),
        ("in", False, "exit"),
        ("out", False, "outside"),
    ],
)
def test_detect_like_tile38_fences(previous, inside, expected):
    assert detect(previous, inside) == expected


def test_transition_gives_the_new_zone_and_only_enter_or_exit_as_events():
    assert transition(None, True) == ("in", "enter")
    assert transition("in", True) == ("in", None)
    assert transition("in", False) == ("out", "exit")
    assert transition("out", False) == ("out", None)
    assert transition(None, False) == ("out", None)


def test_a_walk_in_and_out_gives_one_enter_and_one_exit():
    zone, events = None, []
    for inside in (False, False, True, True, True, False, False):
        zone, ev = transition(zone, inside)
        if ev:
            events.append(ev)
    assert events == ["enter", "exit"] and zone == "out"


def test_inside_the_assigned_area_at_any_level():
    assigned = 42
    assert is_inside(assigned, 42, 7, 3)  # the polling station itself
    assert is_inside(assigned, 5, 42, 3)  # its neighbourhood
    assert is_inside(assigned, 5, 7, 42)  # its district
    assert not is_inside(assigned, 5, 7, 3)
    assert not is_inside(assigned, -1, -1, -1)  # outside every area of the campaign
