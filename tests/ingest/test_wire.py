"""ingest.wire: the msgspec path for the usual pings frame gives, for any frame, exactly what
ingest.protocol's general path gives (hypothesis), and it is the path the usual frame takes."""

from __future__ import annotations

import time

import orjson
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ingest import protocol as P
from ingest import wire

NOW = time.time()
LIMITS = P.Limits(300.0, 30 * 86400.0, 100.0)
SLOTS = ("seq", "t", "lat", "lon", "acc", "alt", "spd", "hdg", "bat", "low_acc")


def _outcome(parse, data: bytes):
    try:
        ok, errors = parse(data, NOW, LIMITS)
    except P.Control as control:
        return ("control", control.kind)
    except P.PingError as err:
        return ("refused", err.seq, err.code, str(err))
    return (
        [tuple(getattr(p, s) for s in SLOTS) for p in ok],
        [(e.seq, e.code, str(e)) for e in errors],
    )


def general(data: bytes, now: float, limits: P.Limits):
    """ingest.protocol.parse_pings without its fast path (typed_ping, which ingest.wire shares):
    every ping decided by the general path, the reference both fast paths must match."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(P, "typed_ping", lambda *args: None)
        return P.parse_pings(data, now, limits)


def number(lo: float, hi: float):
    """Mostly valid values, with the edges, the just-outside and the wrong types mixed in."""
    return st.one_of(
        st.floats(min_value=lo, max_value=hi),
        st.integers(min_value=int(lo), max_value=int(hi)),
        st.sampled_from([lo, hi, lo - 1e-9, hi + 1e-9, -1.0, -1, 0, 1e308, 2**63 - 1]),
        st.none(),
        st.booleans(),
        st.text(max_size=3),
    )


ping = st.fixed_dictionaries(
    {
        "seq": st.one_of(
            st.integers(min_value=0, max_value=2**53),
            st.integers(min_value=-(2**63), max_value=2**63 - 1),
            st.floats(),
            st.none(),
        ),
        "t": st.one_of(
            st.floats(min_value=NOW - 40 * 86400, max_value=NOW + 600),
            st.integers(min_value=int(NOW) - 40 * 86400, max_value=int(NOW) + 600),
            st.none(),
            st.text(max_size=2),
        ),
        "lat": number(-90.0, 90.0),
        "lon": number(-180.0, 180.0),
        "acc": number(0.0, 100_000.0),
    },
    optional={
        "alt": number(-20_000.0, 100_000.0),
        "spd": number(0.0, 1_000.0),
        "hdg": number(0.0, 360.0),
        "bat": number(0.0, 1.0),
        "extra": st.text(max_size=3),
    },
)


def valid(lo: float, hi: float):
    return st.one_of(st.floats(min_value=lo, max_value=hi), st.integers(min_value=int(lo), max_value=int(hi)))


good_ping = st.fixed_dictionaries(
    {
        "seq": st.integers(min_value=0, max_value=2**53),
        "t": valid(NOW - 29 * 86400, NOW + 200),
        "lat": valid(-90.0, 90.0),
        "lon": valid(-180.0, 180.0),
        "acc": valid(0.0, 100_000.0),
    },
    optional={
        "alt": st.one_of(st.none(), valid(-20_000.0, 100_000.0)),
        "spd": st.one_of(st.none(), valid(-5.0, 1_000.0)),
        "hdg": st.one_of(st.none(), valid(-5.0, 360.0)),
        "bat": st.one_of(st.none(), valid(-1.0, 1.0)),
    },
)
frames = st.one_of(
    st.builds(lambda ps: {"type": "pings", "pings": ps}, st.lists(good_ping, min_size=1, max_size=4)),
    st.builds(lambda ps: {"type": "pings", "pings": ps}, st.lists(st.one_of(good_ping, ping), max_size=4)),
    st.builds(lambda p: {"type": "ping", **p}, ping),
    st.fixed_dictionaries({"type": st.sampled_from(["pings", "pause", "shift", 3, None])}),
    st.builds(
        lambda ps: {"type": "pings", "pings": ps},
        st.one_of(st.none(), st.text(max_size=2), st.integers(min_value=-(2**63), max_value=2**63 - 1)),
    ),
)


@settings(max_examples=600, deadline=None)
@given(frames)
def test_the_wire_path_answers_every_frame_as_the_general_path(frame):
    data = orjson.dumps(frame)
    assert _outcome(wire.parse_pings, data) == _outcome(general, data)


def _usual_frame(**fields) -> bytes:
    base = {"seq": 7, "t": NOW - 2.0, "lat": 48.8566, "lon": 2.3522, "acc": 6.5, "spd": 1.2}
    return orjson.dumps({"type": "pings", "pings": [dict(base, **fields), dict(base, seq=8, t=NOW - 1.0)]})


def test_the_usual_frame_takes_the_wire_path():
    pings = wire.pings_frame(_usual_frame(), NOW, LIMITS)
    assert pings is not None and [p.seq for p in pings] == [7, 8]
    assert _outcome(wire.parse_pings, _usual_frame()) == _outcome(general, _usual_frame())


def test_anything_the_wire_path_doubts_goes_to_the_general_path():
    # out of range, out of time, a wrong type, another frame: None here, named there
    for data in (
        _usual_frame(lat=91.0),
        _usual_frame(t=NOW + 3600),
        _usual_frame(acc="6"),
        orjson.dumps({"type": "pause"}),
    ):
        assert wire.pings_frame(data, NOW, LIMITS) is None


def test_integers_past_64_bits_are_answered_as_the_general_path_does():
    for field in ("seq", "lat", "t"):
        data = _usual_frame().replace(b'"%s":' % field.encode(), b'"%s":1%s,"x":' % (field.encode(), b"0" * 30), 1)
        assert _outcome(wire.parse_pings, data) == _outcome(general, data)


def test_a_repeated_key_means_what_it_means_to_the_general_path():
    data = b'{"type":"pings","pings":[{"seq":1,"seq":2,"t":%f,"lat":48.85,"lon":2.35,"acc":5.0,"acc":7.0}]}' % (NOW - 1)
    assert _outcome(wire.parse_pings, data) == _outcome(general, data)
