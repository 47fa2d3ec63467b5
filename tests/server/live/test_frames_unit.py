"""server/live/frames.py on its own: decoding Redis messages, scopes, frames and backlogs."""

from __future__ import annotations

import orjson

from server.live.frames import MAX_EVENTS, Activity, Backlog, Frame, Scope, VState, decode, encode


def state(v: int, **kw) -> dict:
    return {
        "type": "ping",
        "v": v,
        "lon": 2.35,
        "lat": 48.85,
        "t": 100.0,
        "rt": 1000.0,
        "ds": "75101",
        "team": None,
        **kw,
    }


def test_a_ping_keeps_the_bytes_ingest_published():
    raw = orjson.dumps(state(3, team=7, ev="enter"))
    ((kind, st),) = decode(raw)
    assert kind == "ping" and isinstance(st, VState)
    assert (st.v, st.ds, st.team, st.t, st.rt, st.ev, st.raw) == (3, "75101", 7, 100.0, 1000.0, "enter", raw)


def test_a_pause_or_shift_end_is_an_event_then_gone():
    kinds = [k for k, _ in decode(orjson.dumps({"type": "pause", "v": 4}))]
    assert kinds == ["event", "gone"]
    out = decode(orjson.dumps({"type": "shift", "v": 4, "on": False}))
    assert out[1] == ("gone", 4) and isinstance(out[0][1], Activity)
    assert [k for k, _ in decode(orjson.dumps({"type": "shift", "v": 4, "on": True}))] == ["event"]
    assert [k for k, _ in decode(orjson.dumps({"type": "report", "v": 4}))] == ["event"]
    assert decode(orjson.dumps({"type": "gone", "v": "5"})) == [("gone", 5)]


def test_batches_unknown_kinds_and_malformed_deltas():
    batch = orjson.dumps({"type": "batch", "deltas": [state(1), {"type": "future"}, {"type": "ping"}, "x", state(2)]})
    assert [st.v for _, st in decode(batch)] == [1, 2]
    assert [st.v for _, st in decode(orjson.dumps([state(8)]))] == [8]
    # a re-encoded batch item is still valid JSON with the same content
    ((_, st),) = decode(orjson.dumps([state(9, acc=3)]))
    assert orjson.loads(st.raw) == state(9, acc=3)


def test_scope_admits_by_district_and_team():
    st = VState(state(1, ds="75101", team=2))
    assert Scope().admits(st)
    assert Scope(district="75101").admits(st) and not Scope(district="75102").admits(st)
    assert Scope(team=2).admits(st) and not Scope(team=3).admits(st)
    assert not Scope().admits(None)


def test_a_frame_encodes_once_as_the_protocol_says():
    a, b = VState(state(1)), VState(state(2))
    ev = Activity({"type": "shift", "v": 3, "on": True})
    f = Frame(1234, {1: a, 2: b}, [5], [6], [ev])
    assert f
    obj = orjson.loads(f.text)
    assert obj == {
        "type": "deltas",
        "t": 1234,
        "volunteers": [state(1), state(2)],
        "stale": [5],
        "gone": [6],
        "events": [{"type": "shift", "v": 3, "on": True}],
    }
    assert f.text is f.text  # cached
    assert not Frame(1, {}, [], [], [])
    assert "events" not in orjson.loads(encode(1, [], [], [], []))


def test_a_backlog_keeps_one_state_per_volunteer_and_the_last_word():
    log = Backlog()
    log.merge(Frame(1, {1: VState(state(1, lon=1.0))}, [], [], []))
    log.merge(Frame(2, {1: VState(state(1, lon=2.0)), 2: VState(state(2))}, [2], [], []))
    assert len(log.updates) == 2 and orjson.loads(log.updates[1].raw)["lon"] == 2.0
    assert log.stale == {2}  # an update then stale in the same frame: stale
    log.merge(Frame(3, {2: VState(state(2))}, [], [1], []))
    assert log.stale == set() and log.gone == {1} and set(log.updates) == {2}
    log.merge(Frame(4, {1: VState(state(1))}, [], [], []))
    assert log.gone == set()  # back again
    f = log.frame()
    assert f.t == 4 and set(f.updates) == {1, 2}


def test_a_backlog_keeps_only_the_newest_events():
    log = Backlog()
    for i in range(MAX_EVENTS + 20):
        log.merge(Frame(i, {}, [], [], [Activity({"type": "report", "v": i})]))
    assert len(log.events) == MAX_EVENTS
    assert log.events[0].v == 20 and log.events[-1].v == MAX_EVENTS + 19
    assert len(log) == MAX_EVENTS
