"""Which doors a walk list proposes after today's outcomes, and how outcomes add up: pure."""

from __future__ import annotations

import pytest

from server.doors.plan import split_for_today, tally


def test_refused_doors_are_dropped_and_later_ones_come_last():
    doors = [1, 2, 3, 4, 5]
    now, later = split_for_today(doors, lambda d: d, {2: "refused", 3: "later", 4: "not_home", 5: "opened"})
    assert now == [1, 4, 5] and later == [3]
    assert split_for_today(doors, lambda d: d, {}) == (doors, [])


def test_tally_counts_doors_like_a_tour_report():
    assert tally(["not_home", "opened", "refused", "later", "contact", "contact"]) == {
        "doors_knocked": 6,
        "doors_opened": 5,
        "contacts": 2,
    }
    assert tally([]) == {"doors_knocked": 0, "doors_opened": 0, "contacts": 0}


def test_the_live_door_event_matches_its_published_schema():
    import datetime as dt
    import json

    import jsonschema

    from server.events import door_event as event
    from server.doors.schemas import DoorOutcome
    from server.settings import PROJECT_ROOT

    schema = json.loads((PROJECT_ROOT / "docs" / "schemas" / "live_activity.json").read_text())
    o = DoorOutcome(
        id=1,
        address=2,
        label="12 rue X",
        station="18-60",
        volunteer=3,
        team=None,
        shift=None,
        outcome="later",
        visited_at=dt.datetime.now(dt.timezone.utc),
    )

    def door_event(o, district):
        return event(o.volunteer, o.team, district, o.id, o.station, o.outcome, o.visited_at.timestamp())

    jsonschema.validate(json.loads(door_event(o, "18")), schema)
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate({**json.loads(door_event(o, "18")), "outcome": "voted"}, schema)
