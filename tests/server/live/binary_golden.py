"""The frames of web/test/fixtures/binary-frames.json: made by the server's encoder, decoded by the
browser's (web/test/livebinary.test.ts). test_binary_unit checks the encoder still makes them.

    python -m tests.server.live.binary_golden > web/test/fixtures/binary-frames.json

"viewport" holds a deltas frame with an "out" removal and two aggregate ("QH") frames
(server/live/viewport.py), decoded by web/test/liveaggregates.test.ts.
"""

from __future__ import annotations

import orjson

from server.live.binary import BinaryEncoder
from server.live.frames import Activity, Frame, VState
from server.live.viewport import HexDelta

T = 1_800_000_000_000


def golden_frames() -> list[str]:
    def st(v, **kw):
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

    enc = BinaryEncoder()
    enter = st(12, ev="enter", lon=2.30001, lat=48.80002)
    first = Frame(
        T,
        {
            12: enter,
            7: st(
                7,
                acc=None,
                hdg=None,
                spd=None,
                bat=None,
                low_acc=True,
                team=None,
                zone=None,
                ps=None,
                nb=None,
                ds="75102",
            ),
        },
        [],
        [],
        [enter, Activity({"type": "shift", "v": 9, "on": True, "since": 1800000000.5})],
    )
    second = Frame(
        T + 250,
        {7: st(7, lon=-0.5, lat=-1.25, rt=T + 200, t=T / 1000 + 5, ds="75102", ps="75102_3", team=None)},
        [12],
        [40],
        [],
    )
    return [enc.encode(first).hex(), enc.encode(second).hex()]


# Res-8 cells of the Eiffel tower, Bastille and the Gare du Nord.
EIFFEL, BASTILLE, GARE_DU_NORD = 0x881FB46741FFFFF, 0x881FB46449FFFFF, 0x881FB4660DFFFFF


def golden_viewport() -> dict:
    enc = BinaryEncoder()
    out = Frame(T + 500, {}, [], [], [], out=[7, 12])
    return {
        "out": enc.encode(out).hex(),
        "hexes": [
            HexDelta(T, 8, True, {EIFFEL: 3, BASTILLE: 1}).binary().hex(),
            HexDelta(T + 1000, 8, False, {BASTILLE: 0, GARE_DU_NORD: 70000}).binary().hex(),
        ],
    }


if __name__ == "__main__":
    golden = {"frames": golden_frames(), "viewport": golden_viewport()}
    print(orjson.dumps(golden, option=orjson.OPT_INDENT_2).decode())
