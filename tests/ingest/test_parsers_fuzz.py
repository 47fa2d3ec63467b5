"""hypothesis on every parser of untrusted ingest input: websocket frames (auth and pings), the
OwnTracks body, the Traccar / OsmAnd query strings, forms and JSON. Pure, no services.

Properties: never an exception other than the protocol's refusal (PingError, or Control for a
control frame); a refusal of one field's value names that field; a valid ping round-trips."""

from __future__ import annotations

import math
import time
import urllib.parse

import orjson
from hypothesis import given, settings
from hypothesis import strategies as st

from ingest import protocol as P
from ingest.device_http import form_fields
from ingest.fields import parse_time, text_number
from ingest.owntracks import to_ping
from ingest.traccar import classic_ping, json_ping

NOW = time.time()
EXAMPLES = 300  # per property; docs/benchmarks.md reports a run
LIMITS = P.Limits(300.0, 30 * 86400.0, 100.0)
FIELDS = ("lat", "lon", "acc", "alt", "spd", "hdg", "bat")

# JSON's own values (orjson, like a client's encoder, cannot write integers past 64 bits or NaN)
json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**63), max_value=2**63 - 1)
    | st.floats(allow_nan=False)
    | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=20,
)
# ping-like objects: the real keys with any JSON value, plus junk keys
ping_like = st.fixed_dictionaries({}, optional={k: json_values for k in ("seq", "t", *FIELDS, "type", "action")})


def in_range(field: str):
    lo, hi, _ = P.RANGES[field]
    return st.floats(min_value=lo, max_value=hi, allow_nan=False)


valid_pings = st.fixed_dictionaries(
    {
        "seq": st.integers(min_value=0, max_value=P.MAX_SEQ),
        "t": st.floats(min_value=NOW - 86400, max_value=NOW + 200),
        **{f: in_range(f) for f in FIELDS},
    }
)


def refused_or_parsed(call, *args):
    try:
        return call(*args)
    except (P.PingError, P.Control):
        return None


@settings(max_examples=EXAMPLES)
@given(st.binary(max_size=300) | st.text(max_size=300))
def test_any_bytes_as_a_frame(data):
    refused_or_parsed(P.parse_pings, data, NOW, LIMITS)
    refused_or_parsed(P.parse_auth, data)


@settings(max_examples=EXAMPLES)
@given(st.one_of(ping_like, json_values), st.sampled_from(["ping", "pings"]))
def test_any_json_as_pings(value, kind):
    frame = (
        {"type": "ping", **value} if kind == "ping" and isinstance(value, dict) else {"type": "pings", "pings": [value]}
    )
    if isinstance(value, dict) and "type" in value:
        frame = value  # any type and action: a frame of any shape
    out = refused_or_parsed(P.parse_pings, orjson.dumps(frame), NOW, LIMITS)
    if out is not None:
        for err in out[1]:
            assert err.code and err.reason


@settings(max_examples=EXAMPLES // 2)
@given(valid_pings)
def test_valid_ping_round_trips(d):
    pings, errors = P.parse_pings(orjson.dumps({"type": "ping", **d}), NOW, LIMITS)
    assert errors == [] and len(pings) == 1
    p = pings[0]
    assert (p.seq, p.t, p.lat, p.lon, p.acc, p.alt) == (d["seq"], d["t"], d["lat"], d["lon"], d["acc"], d["alt"])
    assert p.low_acc == (d["acc"] > LIMITS.max_acc)


@settings(max_examples=EXAMPLES // 2)
@given(
    valid_pings,
    st.sampled_from(FIELDS),
    st.one_of(
        st.text(max_size=5),
        st.booleans(),
        st.floats(min_value=1e6, max_value=1e300),
        st.floats(max_value=-1e6, allow_infinity=False),
    ),
)
def test_a_bad_field_is_refused_by_name(d, field, bad):
    _, _, negative_unknown = P.RANGES[field]
    if negative_unknown and isinstance(bad, float) and bad < 0:
        return  # negative speed, course or battery: unknown, not refused (documented)
    pings, errors = P.parse_pings(orjson.dumps({"type": "ping", **d, field: bad}), NOW, LIMITS)
    assert pings == [] and len(errors) == 1
    assert field in errors[0].reason and errors[0].code in ("malformed", "out_of_range")


@settings(max_examples=EXAMPLES)
@given(
    st.dictionaries(
        st.sampled_from(["_type", "lat", "lon", "tst", "acc", "alt", "vel", "cog", "batt", "x"]),
        json_values,
        max_size=9,
    )
)
def test_owntracks_any_body(msg):
    p = refused_or_parsed(to_ping, msg)
    if p is not None:
        refused_or_parsed(P.check_ping, p, NOW, LIMITS)


@settings(max_examples=EXAMPLES // 2)
@given(valid_pings)
def test_owntracks_valid_round_trips(d):
    msg = {
        "_type": "location",
        "lat": d["lat"],
        "lon": d["lon"],
        "tst": int(d["t"]),
        "acc": d["acc"],
        "vel": d["spd"] * 3.6,
        "cog": d["hdg"],
        "batt": round(d["bat"] * 100),
    }
    p = P.check_ping(to_ping(msg), NOW, LIMITS)
    assert (p.lat, p.lon, p.t, p.seq) == (d["lat"], d["lon"], int(d["t"]), int(d["t"]) * 1000)
    assert math.isclose(p.spd, d["spd"], rel_tol=1e-9, abs_tol=1e-9)


query_text = st.text(max_size=12) | st.from_regex(r"-?\d{1,4}(\.\d{1,6})?", fullmatch=True)


@settings(max_examples=EXAMPLES)
@given(
    st.dictionaries(
        st.sampled_from(
            [
                "id",
                "lat",
                "lon",
                "location",
                "timestamp",
                "accuracy",
                "altitude",
                "speed",
                "bearing",
                "heading",
                "batt",
                "valid",
            ]
        ),
        query_text,
        max_size=10,
    )
)
def test_osmand_any_query(params):
    # as the app would send it: through a real query string
    parsed = dict(urllib.parse.parse_qsl(urllib.parse.urlencode(params), keep_blank_values=True))
    p = refused_or_parsed(classic_ping, parsed)
    if p is not None:
        refused_or_parsed(P.check_ping, p, NOW, LIMITS, {})


@settings(max_examples=EXAMPLES)
@given(
    st.text(alphabet=st.sampled_from("a=&%+2F0é;x "), max_size=30)
    | st.text(max_size=30)
    | st.dictionaries(st.text(max_size=6), st.text(max_size=8), max_size=5).map(urllib.parse.urlencode)
)
def test_query_and_form_fields_decode_as_parse_qsl(text):
    """The apps' own query/form decoder (device_http.form_fields) gives what Starlette's
    parse_qsl gave, escapes, '+', blanks, repeated and empty names included."""
    assert form_fields(text) == dict(urllib.parse.parse_qsl(text, keep_blank_values=True))


@settings(max_examples=EXAMPLES // 2)
@given(valid_pings)
def test_osmand_valid_query_round_trips(d):
    q = {
        "lat": repr(d["lat"]),
        "lon": repr(d["lon"]),
        "timestamp": str(int(d["t"])),
        "accuracy": repr(d["acc"]),
        "altitude": repr(d["alt"]),
        "bearing": repr(d["hdg"]),
    }
    p = P.check_ping(classic_ping(q), NOW, LIMITS)
    assert (p.lat, p.lon, p.acc, p.alt, p.hdg, p.t) == (d["lat"], d["lon"], d["acc"], d["alt"], d["hdg"], int(d["t"]))


@settings(max_examples=EXAMPLES)
@given(
    json_values
    | st.fixed_dictionaries(
        {},
        optional={
            "timestamp": json_values,
            "coords": st.dictionaries(
                st.sampled_from(["latitude", "longitude", "accuracy", "speed", "heading", "altitude"]), json_values
            ),
            "battery": json_values,
        },
    )
)
def test_traccar_json_any_location(loc):
    p = refused_or_parsed(json_ping, loc)
    if p is not None:
        refused_or_parsed(P.check_ping, p, NOW, LIMITS)


@settings(max_examples=EXAMPLES)
@given(st.text(max_size=40) | st.integers() | st.floats() | json_values)
def test_times_and_numbers_any_text(value):
    t = refused_or_parsed(parse_time, value)
    assert t is None or math.isfinite(t)
    if isinstance(value, str):
        v = refused_or_parsed(text_number, value, "x")
        assert v is None or math.isfinite(v)
