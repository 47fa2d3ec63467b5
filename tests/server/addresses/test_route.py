"""2-opt routes on the real Paris addresses (BAN), without services: every door once, never longer
than the street-side walk, and no single reversal left that would shorten it."""

from __future__ import annotations

import random

import numpy as np

from server.addresses.route import path_length, route, two_opt
from server.addresses.walk import plane_xy


def test_route_is_a_shorter_permutation_of_the_street_side_walk(doors_by_station):  # noqa: F811
    rnd = random.Random(11)
    codes = rnd.sample(sorted(c for c, d in doors_by_station.items() if len(d) >= 10), 15)
    ratios = []
    for code in codes:
        doors = doors_by_station[code]
        ordered, route_m, walk_m = route(doors)
        assert sorted(d.id for d in ordered) == sorted(d.id for d in doors)
        assert route_m <= walk_m + 1e-6
        ratios.append(route_m / walk_m)
    assert np.median(ratios) < 1.0  # 2-opt finds something to shorten in most stations


def test_two_opt_leaves_no_improving_reversal(doors_by_station):  # noqa: F811
    doors = doors_by_station[sorted(doors_by_station)[3]][:60]
    xy = plane_xy([(d.lon, d.lat) for d in doors])
    order = two_opt(xy)
    assert order[0] == 0 and sorted(order) == list(range(len(doors)))
    best = path_length(xy[order])
    for i in range(1, len(order) - 1):
        for j in range(i + 1, len(order)):
            cand = order.copy()
            cand[i : j + 1] = cand[i : j + 1][::-1]
            assert path_length(xy[cand]) >= best - 1e-6


def test_route_from_a_start_keeps_every_door(doors_by_station):  # noqa: F811
    doors = doors_by_station[sorted(doors_by_station)[5]]
    start = (doors[0].lon + 0.001, doors[0].lat)
    ordered, route_m, walk_m = route(doors, start)
    assert sorted(d.id for d in ordered) == sorted(d.id for d in doors) and route_m <= walk_m + 1e-6
