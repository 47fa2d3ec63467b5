"""server/live/viewport.py on its own: view frames, margins, resolutions, counts and hex frames."""

from __future__ import annotations

import h3

from server.live.frames import Backlog, Frame, Scope, VState
from server.live.viewport import HexDelta, ViewFrame, count_cells, decode_hexes, diff, hex_res, parse_view


def state(v: int, lon: float, lat: float, **kw) -> VState:
    return VState({"type": "ping", "v": v, "lon": lon, "lat": lat, "t": 1.0, "rt": 1.0, **kw})


def test_a_view_is_validated_and_grows_by_its_margin():
    view = parse_view({"type": "view", "bbox": [2.0, 48.0, 2.4, 48.8], "zoom": 15})
    assert isinstance(view, ViewFrame)
    assert view.box() == (2.0 - 0.1, 48.0 - 0.2, 2.4 + 0.1, 48.8 + 0.2)
    assert parse_view({"bbox": [-180, -90, 180, 90], "zoom": 0}).box() == (-180, -90, 180, 90)
    for bad in (
        {"bbox": [2.4, 48, 2.0, 48.8], "zoom": 3},
        {"bbox": [1, 2, 3], "zoom": 3},
        {"bbox": [0, 0, 1, 1]},
        {"bbox": [0, 0, 1, 1], "zoom": -1},
        {"bbox": [0, 0, 1, 91], "zoom": 3},
        [1, 2],
    ):
        assert isinstance(parse_view(bad), str), bad


def test_the_resolution_follows_the_zoom():
    assert [hex_res(z) for z in (3, 8, 10, 12, 15, 19)] == [4, 5, 6, 7, 8, 8]


def test_counts_leave_out_the_box_and_what_the_scope_refuses():
    box = parse_view({"bbox": [2.33, 48.85, 2.34, 48.86], "zoom": 15}).box()
    states = [
        state(1, 2.335, 48.855),
        state(2, 2.2945, 48.8584, ds="7"),
        state(3, 2.2946, 48.8584, ds="7"),
        state(4, 2.3692, 48.8532, ds="11"),
    ]
    eiffel = h3.str_to_int(h3.latlng_to_cell(48.8584, 2.2945, 8))
    bastille = h3.str_to_int(h3.latlng_to_cell(48.8532, 2.3692, 8))
    assert count_cells(states, Scope().admits, box, 8) == {eiffel: 2, bastille: 1}
    assert count_cells(states, Scope(district="7").admits, box, 8) == {eiffel: 2}
    # within reach only: four view sizes on each side of the Louvre reach Bastille, not Versailles
    view = parse_view({"bbox": [2.3280, 48.8560, 2.3470, 48.8650], "zoom": 15})
    assert isinstance(view, ViewFrame)
    versailles = state(5, 2.1204, 48.8049)
    assert count_cells([*states, versailles], Scope().admits, box, 8, view.reach()) == {eiffel: 2, bastille: 1}
    assert len(count_cells([*states, versailles], Scope().admits, box, 8)) == 3
    assert diff({eiffel: 2, bastille: 1}, {eiffel: 3}) == {eiffel: 3, bastille: 0}


def test_hex_deltas_merge_and_encode():
    a, b = h3.str_to_int("881fb46741fffff"), h3.str_to_int("881fb46449fffff")
    d = HexDelta(1, 8, True, {a: 2, b: 1})
    d.merge(HexDelta(2, 8, False, {b: 0}))
    assert (d.full, d.cells, d.t) == (True, {a: 2}, 2)  # a full set lists no emptied cell
    d = HexDelta(1, 8, False, {a: 2})
    d.merge(HexDelta(2, 8, False, {b: 0}))
    assert (d.full, d.cells) == (False, {a: 2, b: 0})
    d.merge(HexDelta(3, 7, True, {}))
    assert (d.full, d.cells, d.res) == (True, {}, 7)  # a new resolution replaces everything
    frame = HexDelta(5, 8, False, {a: 2, b: 0})
    assert len(frame.binary()) == 16 + 12 * 2
    assert decode_hexes(frame.binary()) == {
        "type": "hexes",
        "t": 5.0,
        "res": 8,
        "full": False,
        "cells": [["881fb46741fffff", 2], ["881fb46449fffff", 0]],
    }
    import orjson

    assert orjson.loads(frame.text()) == {**decode_hexes(frame.binary()), "t": 5}


def test_a_backlog_keeps_the_removals_of_a_view():
    st = state(1, 2.3, 48.8)
    backlog = Backlog()
    backlog.merge(Frame(1, {1: st}, [], [], []))
    backlog.merge(Frame(2, {}, [], [], [], out=[1]))
    f = backlog.frame()
    assert (f.updates, f.out) == ({}, [1]) and '"out":[1]' in f.text
    backlog.merge(Frame(3, {1: st}, [], [], []))  # back in view
    assert backlog.frame().out == [] and '"out"' not in backlog.frame().text


def test_the_browser_fixture_is_what_the_encoders_make():
    import orjson

    from server.settings import PROJECT_ROOT
    from tests.server.live.binary_golden import golden_viewport

    fixture = orjson.loads((PROJECT_ROOT / "web/test/fixtures/binary-frames.json").read_bytes())
    assert fixture["viewport"] == golden_viewport(), (
        "the aggregate layout changed: update web/src/liveaggregates.ts, then regenerate the fixture"
    )
