"""server/live/binary.py on its own: the layout, quantisation, the per-viewer dictionary and
attributes sent only when they change."""

from __future__ import annotations

import orjson
import pytest

from server.live.binary import HEADER, RECORD, BinaryEncoder, decode
from server.live.frames import Activity, Frame, VState

T = 1_800_000_000_000


def state(v: int, **kw) -> VState:
    obj = {
        "type": "ping",
        "v": v,
        "team": 3,
        "t": T / 1000 - 2,
        "rt": T - 120,
        "lon": 2.352219,
        "lat": 48.856614,
        "acc": 8.4,
        "hdg": 271.0,
        "spd": 1.3,
        "bat": 0.56,
        "cell": "8b1fb46622dcfff",
        "ps": "75101_1",
        "nb": "7510101",
        "ds": "75101",
        "zone": "in",
        "ev": None,
        "low_acc": False,
    }
    obj.update(kw)
    return VState(obj)


def frame(*states: VState, stale=(), gone=(), events=(), t=T) -> Frame:
    return Frame(t, {s.v: s for s in states}, list(stale), list(gone), list(events))


def test_a_record_quantises_to_about_a_metre_and_keeps_the_readings():
    enc = BinaryEncoder()
    data = enc.encode(frame(state(42)))
    assert data[:3] == b"QL\x01"
    out = decode(data)
    (u,) = out["updates"]
    assert u["i"] == 0 and out["dict"] == [[0, 42]]
    # 1e-5 degree: under 1.2 m in latitude and longitude
    assert abs(u["lon"] - 2.352219) <= 0.5e-5 and abs(u["lat"] - 48.856614) <= 0.5e-5
    assert u["rt"] == T - 120 and u["lag"] == 2
    assert (u["acc"], u["hdg"], u["spd"], u["bat"], u["low_acc"]) == (8, 272, 1.25, 0.56, False)
    assert out["attrs"] == [[0, {"team": 3, "ps": "75101_1", "nb": "7510101", "ds": "75101", "zone": "in"}]]


def test_unknown_and_out_of_range_readings():
    out = decode(
        BinaryEncoder().encode(
            frame(
                state(1, acc=None, hdg=None, spd=None, bat=None, low_acc=True),
                state(2, acc=5000.0, spd=100.0, lon=-179.99999, lat=-89.5, rt=T - 10_000_000),
            )
        )
    )
    a, b = out["updates"]
    assert (a["acc"], a["hdg"], a["spd"], a["bat"], a["low_acc"]) == (None, None, None, None, True)
    assert (b["acc"], b["spd"]) == (254, 63.5)  # saturated, not wrapped
    assert b["lon"] == pytest.approx(-179.99999) and b["lat"] == pytest.approx(-89.5)
    assert b["rt"] == T - 655_350  # the age saturates at 655 s: older is stale anyway


def test_the_dictionary_and_attributes_are_sent_once_per_viewer():
    enc = BinaryEncoder()
    first = enc.encode(frame(state(1), state(2)))
    again = enc.encode(frame(state(2, lon=2.36), state(1, lon=2.37)))
    out = decode(again)
    assert [u["i"] for u in out["updates"]] == [1, 0]  # same indexes, no new entries
    assert "dict" not in out and "attrs" not in out
    assert len(again) == HEADER.size + 2 * RECORD.size
    assert len(first) > len(again)
    moved = decode(enc.encode(frame(state(1, ps="75101_2", zone="out"))))
    assert moved["attrs"] == [[0, {"team": 3, "ps": "75101_2", "nb": "7510101", "ds": "75101", "zone": "out"}]]
    # another viewer has its own dictionary
    assert decode(BinaryEncoder().encode(frame(state(2))))["dict"] == [[0, 2]]


def test_stale_gone_and_events():
    enc = BinaryEncoder()
    enc.encode(frame(state(5)))
    shift = Activity({"type": "shift", "v": 6, "on": True, "since": 1.5})
    enter = state(5, ev="enter")
    out = decode(enc.encode(frame(stale=[7, 8], gone=[5], events=[enter, shift])))
    assert (out["updates"], out["stale"], out["gone"]) == ([], [7, 8], [5])
    assert out["events"] == [orjson.loads(enter.raw), {"type": "shift", "v": 6, "on": True, "since": 1.5}]
    # back after gone: its attributes come again (the viewer dropped it), under the same index
    back = decode(enc.encode(frame(state(5))))
    assert back["updates"][0]["i"] == 0 and back["attrs"][0][0] == 0 and "dict" not in back


def test_a_state_is_parsed_once_for_every_viewer():
    st = state(9)
    BinaryEncoder().encode(frame(st))
    cached = st.binary
    BinaryEncoder().encode(frame(st))
    assert st.binary is cached


def test_bytes_per_update_in_steady_state_is_20():
    enc = BinaryEncoder()
    enc.encode(frame(*(state(v) for v in range(500))))
    data = enc.encode(frame(*(state(v, lon=2.3 + v / 1e4) for v in range(500))))
    assert (len(data) - HEADER.size) / 500 == 20


def test_decode_refuses_other_data():
    with pytest.raises(ValueError):
        decode(b"XX" + bytes(26))


def test_the_encoder_still_makes_the_frames_the_browser_decoder_is_tested_on():
    from server.settings import PROJECT_ROOT
    from tests.server.live.binary_golden import golden_frames

    fixture = orjson.loads((PROJECT_ROOT / "web/test/fixtures/binary-frames.json").read_bytes())
    assert fixture["frames"] == golden_frames(), (
        "the binary layout changed: update web/src/livebinary.ts, then regenerate the fixture"
    )
