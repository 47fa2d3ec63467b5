"""ingest/protocol.py on its own: parsing and checking frames, no server, no database."""

from __future__ import annotations

import math

import orjson
import pytest

from ingest import protocol as p

NOW = 1_800_000_000.0
LIMITS = p.Limits(future_s=60.0, retention_s=30 * 86400.0, max_acc=100.0)


def fix(seq=1, **kw) -> dict:
    d = {"seq": seq, "t": NOW - 5, "lat": 48.8566, "lon": 2.3522, "acc": 8.0}
    d.update(kw)
    return d


def frame(**kw) -> bytes:
    return orjson.dumps({"type": "ping", **fix(**kw)})


def error_of(data, limits=LIMITS) -> p.PingError:
    ok, errors = p.parse_pings(data, NOW, limits)
    assert ok == [] and len(errors) == 1
    return errors[0]


def test_a_good_ping_is_accepted_with_its_optional_fields():
    ok, errors = p.parse_pings(frame(alt=35, spd=1.2, hdg=90, bat=0.5), NOW, LIMITS)
    assert errors == []
    (ping,) = ok
    assert (ping.seq, ping.lat, ping.lon, ping.acc) == (1, 48.8566, 2.3522, 8.0)
    assert (ping.alt, ping.spd, ping.hdg, ping.bat, ping.low_acc) == (35.0, 1.2, 90.0, 0.5, False)


def test_negative_optionals_become_unknown_not_errors():
    # iOS reports -1 for an unknown speed or course, Android -1 for an unknown battery level
    (ping,), _ = p.parse_pings(frame(spd=-1, hdg=-1, bat=-1, alt=None), NOW, LIMITS)
    assert (ping.spd, ping.hdg, ping.bat, ping.alt) == (None, None, None, None)


def test_an_optional_beyond_its_documented_range_is_refused_by_name():
    # one validation for the three protocols (docs/protocol.md, ranges): a battery of 2 is no level
    err = error_of(frame(bat=2))
    assert (err.seq, err.code) == (1, p.OUT_OF_RANGE) and "bat" in err.reason


def test_a_non_numeric_optional_is_malformed_and_names_the_field():
    err = error_of(frame(hdg="north"))
    assert (err.seq, err.code) == (1, p.MALFORMED) and "hdg" in err.reason


@pytest.mark.parametrize(
    "kw, code",
    [
        ({"lat": 91}, p.OUT_OF_RANGE),
        ({"lon": -180.5}, p.OUT_OF_RANGE),
        ({"t": NOW + 3600}, p.FUTURE),
        ({"t": NOW - 31 * 86400}, p.TOO_OLD),
        ({"acc": -1}, p.OUT_OF_RANGE),
        ({"acc": None}, p.MALFORMED),
        ({"lat": True}, p.MALFORMED),  # a bool is not a number here
        ({"t": "now"}, p.MALFORMED),
    ],
)
def test_bad_pings_are_refused_with_their_code(kw, code):
    err = error_of(frame(seq=7, **kw))
    assert (err.seq, err.code) == (7, code)
    assert err.frame() == {"type": "error", "seq": 7, "code": code, "reason": err.reason}


def test_low_accuracy_is_flagged_not_refused():
    (ping,), _ = p.parse_pings(frame(acc=150), NOW, LIMITS)
    assert ping.low_acc is True


@pytest.mark.parametrize("seq", [-1, 2**63, "1", 1.0, None])
def test_a_bad_seq_leaves_the_error_unnamed(seq):
    err = error_of(frame(seq=seq))
    assert err.seq is None and err.code == p.MALFORMED


def test_a_pings_frame_keeps_good_pings_and_names_the_bad_ones():
    data = orjson.dumps({"type": "pings", "pings": [fix(1), fix(2, lat="x"), "junk", fix(3)]})
    ok, errors = p.parse_pings(data, NOW, LIMITS)
    assert [x.seq for x in ok] == [1, 3]
    assert [(e.seq, e.code) for e in errors] == [(2, p.MALFORMED), (None, p.MALFORMED)]


@pytest.mark.parametrize(
    "data",
    [
        b"not json",
        b"[1, 2]",
        b'{"type": "pings", "pings": {}}',
        b'{"type": "hello"}',
        b'{"type": "ping", "seq": 1, "t": NaN, "lat": 1, "lon": 1, "acc": 1}',
        b'{"type": "shift", "action": "lunch"}',
    ],
)
def test_malformed_frames_raise(data):
    with pytest.raises(p.PingError) as exc:
        p.parse_pings(data, NOW, LIMITS)
    assert exc.value.seq is None and exc.value.code == p.MALFORMED


@pytest.mark.parametrize(
    "data, kind",
    [
        (b'{"type": "pause"}', "pause"),
        (b'{"type": "resume"}', "resume"),
        (b'{"type": "shift", "action": "start"}', "shift_start"),
        (b'{"type": "shift", "action": "end"}', "shift_end"),
    ],
)
def test_control_frames(data, kind):
    with pytest.raises(p.Control) as exc:
        p.parse_pings(data, NOW, LIMITS)
    assert exc.value.kind == kind


def test_check_ping_refuses_non_finite_values_from_apps():
    with pytest.raises(p.PingError) as exc:
        p.check_ping(p.Ping(None, NOW, math.nan, 2.0, 5.0), NOW, LIMITS)
    assert exc.value.code == p.OUT_OF_RANGE
    with pytest.raises(p.PingError) as exc:
        p.check_ping(p.Ping(None, math.inf, 48.0, 2.0, 5.0), NOW, LIMITS)
    assert exc.value.code == p.MALFORMED


def test_parse_auth():
    assert p.parse_auth(b'{"type":"auth","protocol":1,"token":"abc","campaign":"c"}') == ("abc", "c")
    assert p.parse_auth('{"type":"auth","protocol":1,"token":"abc"}') == ("abc", None)
    for bad in (
        b'{"type":"auth","protocol":2,"token":"abc"}',
        b'{"type":"auth","protocol":1,"token":""}',
        b'{"type":"auth","protocol":1,"token":"a","campaign":5}',
        b'{"type":"ping"}',
        b"x",
    ):
        with pytest.raises(p.PingError):
            p.parse_auth(bad)


def test_outgoing_frames_are_json_text():
    assert orjson.loads(p.ack_frame([1, 2])) == {"type": "ack", "seqs": [1, 2]}
    assert orjson.loads(p.throttle_frame(250, [3])) == {"type": "throttle", "retry_after_ms": 250, "seqs": [3]}
    assert orjson.loads(p.warning_frame(4, p.LOW_ACCURACY, "r")) == {
        "type": "warning",
        "seq": 4,
        "code": p.LOW_ACCURACY,
        "reason": "r",
    }
    assert orjson.loads(p.sharing_frame(True)) == {"type": "paused"}
    assert orjson.loads(p.sharing_frame(True, pending=True)) == {"type": "paused", "pending": True}
    assert orjson.loads(p.shift_frame(True, 9, 12.5, created=True)) == {
        "type": "shift",
        "state": "on",
        "shift": {"id": 9, "since": 12.5},
        "created": True,
    }
    assert orjson.loads(p.shift_frame(False, None, None, ended_by="hq")) == {
        "type": "shift",
        "state": "off",
        "shift": None,
        "ended_by": "hq",
    }
    ready = orjson.loads(p.ready_frame(5, "c", 65536, 2.0))
    assert ready["protocol"] == p.PROTOCOL and ready["shift"] is None
