"""/ws/live with a viewport, against a real server, Redis and PostgreSQL, at real Paris places: a
viewer looking at the Louvre gets the volunteers there one by one, hex counts for the rest of
Paris, a removal when someone walks out of its view, and an error frame for a bad view."""

from __future__ import annotations

import asyncio
import time

import h3
import orjson

from server.live.viewport import decode_hexes, hex_res
from tests.server.live.conftest import delta, frames_for, frames_until, latest, publish, snapshot

# One arrondissement at zoom 15: the Louvre and the Palais-Royal (Paris 1er).
LOUVRE_VIEW = {"bbox": [2.3280, 48.8560, 2.3470, 48.8650], "zoom": 15}
IN_VIEW = {1: (2.3376, 48.8606), 2: (2.3371, 48.8638)}  # the Louvre, the Palais-Royal
ELSEWHERE = {
    3: (2.2945, 48.8584),  # the Eiffel tower
    4: (2.3431, 48.8867),  # Sacré-Cœur
    5: (2.3692, 48.8532),  # Bastille
    6: (2.3553, 48.8809),  # Gare du Nord
}
PLACES = {**IN_VIEW, **ELSEWHERE}


def at(v: int, seq: int = 1, place: tuple[float, float] | None = None) -> dict:
    lon, lat = place or PLACES[v]
    return delta(v, seq=seq, lon=lon, lat=lat)


def cell(place: tuple[float, float]) -> str:
    return h3.latlng_to_cell(place[1], place[0], hex_res(LOUVRE_VIEW["zoom"]))


def hex_counts(frames: list[dict]) -> dict[str, int]:
    """The counts a client holds after these aggregate frames."""
    held: dict[str, int] = {}
    for f in frames:
        if f.get("type") != "hexes":
            continue
        if f["full"]:
            held.clear()
        for c, n in f["cells"]:
            if n:
                held[c] = n
            else:
                held.pop(c, None)
    return held


def expected_counts(places) -> dict[str, int]:
    out: dict[str, int] = {}
    for p in places:
        out[cell(p)] = out.get(cell(p), 0) + 1
    return out


def updated(frames: list[dict]) -> set[int]:
    return {st["v"] for f in frames if f["type"] == "deltas" for st in f["volunteers"]}


async def test_a_small_viewport_gets_its_volunteers_and_counts_for_the_rest(live_server, redis, campaign, admin):
    cid = campaign["id"]
    await publish(redis, cid, [at(v) for v in PLACES])
    ws, snap = await snapshot(live_server.url, admin["token"], campaign["slug"], view=LOUVRE_VIEW)
    async with ws:
        assert {s["v"] for s in snap["volunteers"]} == set(IN_VIEW)
        frames = await frames_until(ws, lambda fs: any(f["type"] == "hexes" for f in fs))
        assert hex_counts(frames) == expected_counts(ELSEWHERE.values())
        # Everyone walks a few metres: only the two at the Louvre come one by one.
        await publish(redis, cid, [at(v, 2, (lon + 1e-4, lat)) for v, (lon, lat) in PLACES.items()])
        frames = await frames_until(ws, lambda fs: set(IN_VIEW) <= updated(fs))
        frames += await frames_for(ws, 0.5)
        assert updated(frames) == set(IN_VIEW)


async def test_binary_viewers_get_binary_aggregates(live_server, redis, campaign, admin):
    cid = campaign["id"]
    await publish(redis, cid, [at(v) for v in PLACES])
    ws, snap = await snapshot(live_server.url, admin["token"], campaign["slug"], view=LOUVRE_VIEW, encoding="binary")
    async with ws:
        assert {s["v"] for s in snap["volunteers"]} == set(IN_VIEW)
        data = await asyncio.wait_for(ws.recv(), 5)
        assert isinstance(data, bytes) and data[:2] == b"QH"
        hexes = decode_hexes(data)
        assert hexes["full"] and hexes["res"] == hex_res(15)
        assert hex_counts([hexes]) == expected_counts(ELSEWHERE.values())


async def test_walking_out_of_view_is_a_removal_and_a_count(live_server, redis, campaign, admin):
    cid = campaign["id"]
    await publish(redis, cid, [at(v) for v in PLACES])
    ws, _ = await snapshot(live_server.url, admin["token"], campaign["slug"], view=LOUVRE_VIEW)
    async with ws:
        await frames_until(ws, lambda fs: any(f["type"] == "hexes" for f in fs))
        # The Louvre's volunteer walks to the Hôtel de Ville (4e), out of the view and its margin;
        # Bastille's comes to the Pont Neuf, into it.
        town_hall, pont_neuf = (2.3522, 48.8566), (2.3413, 48.8570)
        await publish(redis, cid, [at(1, 2, town_hall), at(5, 2, pont_neuf)])
        frames = await frames_until(
            ws, lambda fs: any(1 in f.get("out", []) for f in fs) and 5 in latest(fs), timeout=5
        )
        assert 1 not in latest(frames) and all(1 not in f["gone"] for f in frames if f["type"] == "deltas")
        assert latest(frames)[5]["lon"] == pont_neuf[0]

        # Counted now in the hexes: the Hôtel de Ville's cell gains one, Bastille's loses its only one.
        def changed(fs: list[dict]) -> dict[str, int]:
            return {c: n for f in fs if f["type"] == "hexes" for c, n in f["cells"]}

        frames = await frames_until(ws, lambda fs: {cell(town_hall), cell(ELSEWHERE[5])} <= changed(fs).keys())
        assert changed(frames) == {cell(town_hall): 1, cell(ELSEWHERE[5]): 0}  # only the cells that changed
        assert not any(f["full"] for f in frames if f["type"] == "hexes")


async def test_a_view_sent_later_removes_what_is_outside_it(live_server, redis, campaign, admin):
    cid = campaign["id"]
    await publish(redis, cid, [at(v) for v in PLACES])
    ws, snap = await snapshot(live_server.url, admin["token"], campaign["slug"])
    async with ws:
        assert {s["v"] for s in snap["volunteers"]} == set(PLACES)  # no view: everything, as before
        await ws.send(orjson.dumps({"type": "view", **LOUVRE_VIEW}).decode())
        frames = await frames_until(
            ws, lambda fs: set(ELSEWHERE) <= {v for f in fs for v in f.get("out", [])} and hex_counts(fs)
        )
        assert hex_counts(frames) == expected_counts(ELSEWHERE.values())


async def test_a_bad_view_gets_an_error_frame_and_changes_nothing(live_server, redis, campaign, admin):
    cid = campaign["id"]
    await publish(redis, cid, [at(v) for v in PLACES])
    bad_in_auth = {"bbox": [2.4, 48.8, 2.3, 48.9], "zoom": 15}  # west > east
    ws, snap = await snapshot(live_server.url, admin["token"], campaign["slug"], view=bad_in_auth)
    async with ws:
        assert {s["v"] for s in snap["volunteers"]} == set(PLACES)  # as without a view
        (error,) = await frames_until(ws, lambda fs: len(fs) == 1)
        assert error["type"] == "error" and error["code"] == "bad_view" and "bbox" in error["reason"]
        for bad in (
            {"type": "view", "bbox": [2.3, 48.8, 2.4], "zoom": 15},
            {"type": "view", "bbox": [2.3, 48.8, 2.4, 48.9], "zoom": 99},
            {"type": "view", "bbox": [2.3, -91, 2.4, 48.9], "zoom": 12},
            {"type": "view", "bbox": "Paris", "zoom": 12},
            {"type": "view", "bbox": [2.3, 48.8, 2.4, 48.9]},
        ):
            await ws.send(orjson.dumps(bad).decode())
            (error,) = await frames_until(ws, lambda fs: len(fs) == 1)
            assert (error["type"], error["code"]) == ("error", "bad_view"), bad
        await ws.send("{not json")
        (error,) = await frames_until(ws, lambda fs: len(fs) == 1)
        assert (error["type"], error["code"]) == ("error", "bad_frame")
        # Still everything, one by one, and no aggregates: none of those views was taken.
        await publish(redis, cid, [at(v, 2) for v in PLACES])
        frames = await frames_until(ws, lambda fs: set(PLACES) <= updated(fs))
        assert not any(f["type"] == "hexes" for f in frames)


async def test_a_viewer_with_a_view_gets_the_campaigns_counts(live_server, redis, campaign, admin):
    """Its own store holds only the Louvre's two: the panel's counters come from the server."""
    cid = campaign["id"]
    stations = {1: ("01-3", "in"), 3: ("07-12", "in"), 4: ("18-21", "out"), 5: ("07-12", "in")}
    # The suite's stale-after is 1.5 s: the live ones are "received" ten minutes ahead, so that a
    # loaded machine cannot turn them stale during the test; Gare du Nord's was hours ago: stale.
    ahead, hours_ago = int((time.time() + 600) * 1000), int((time.time() - 3 * 3600) * 1000)
    states = [
        at(v) | {"rt": ahead} | dict(zip(("ps", "zone"), stations.get(v, (None, None)), strict=True)) for v in PLACES
    ]
    states[-1]["rt"] = hours_ago
    await publish(redis, cid, states)
    ws, snap = await snapshot(live_server.url, admin["token"], campaign["slug"], view=LOUVRE_VIEW)
    async with ws:
        assert {s["v"] for s in snap["volunteers"]} == set(IN_VIEW)
        frames = await frames_until(ws, lambda fs: any(f["type"] == "totals" for f in fs))
        (totals,) = [f for f in frames if f["type"] == "totals"]
        assert (totals["live"], totals["stale"], totals["stations"]) == (5, 1, 2)
        # Sacré-Cœur's volunteer steps into 18-21: one station more, sent without a new view.
        await publish(redis, cid, [at(4, 2) | {"rt": ahead, "ps": "18-21", "zone": "in"}])
        frames = await frames_until(ws, lambda fs: any(f["type"] == "totals" for f in fs))
        (totals,) = [f for f in frames if f["type"] == "totals"]
        assert (totals["live"], totals["stale"], totals["stations"]) == (5, 1, 3)


async def test_a_viewer_without_a_view_gets_no_counts(live_server, redis, campaign, admin):
    """It holds everything and counts for itself, as before viewport scoping."""
    await publish(redis, campaign["id"], [at(v) for v in PLACES])
    ws, _ = await snapshot(live_server.url, admin["token"], campaign["slug"])
    async with ws:
        await publish(redis, campaign["id"], [at(v, 2) for v in PLACES])
        frames = await frames_until(ws, lambda fs: set(PLACES) <= updated(fs))
        frames += await frames_for(ws, 1.5)
        assert not any(f["type"] == "totals" for f in frames)
