"""Dispatch: optimal suggestions at city and national scale, against the greedy rule, and routes.

    python -m bench.dispatch [--repeat 5]

No database: the Paris polling stations, their European 2024 results and the BAN addresses are
read from data/paris into memory, as the server holds them once queried, and the timed part is
the whole server-side computation from there: value matrix, optimal match, explained
suggestions (server.dispatch.suggest.suggest).

- paris_1000_teams_ms: 1,000 teams (seeded random positions within 400 m of random stations,
  half of them with a home district) over the 902 stations; median of --repeat runs.
- national_5000_teams_ms: 5,000 teams over 69,000 synthetic stations spread over France's
  extent (half uniform over the mainland's bounding box, half in 300 town-like clusters), solved
  sparse: each team keeps its best candidates within the maximum walk (k-d tree on the sphere).
  The same run solves it keeping 32, 64 and 128 candidates per team (national_ms_by_candidates,
  national_total_by_candidates); the headline figure is the server's default, 64.
- national_optimal_over_greedy: on the national case, the greedy rule on the same pruned inputs
  (the same 64 candidates per team), optimal total / greedy total (never below 1).
- optimal_over_greedy: total value, optimal / greedy, on the Paris instance (never below 1).
- route_vs_street_order: 2-opt route length / street-side walk length, median over a sample of
  stations (the doors of each station, from the address file located with shapely).
Prints one JSON line.
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import statistics
import time

import numpy as np
import orjson
import shapely

from server.addresses.reader import read_address_file
from server.addresses.route import route
from server.addresses.walk import Door
from server.areas.geojson_reader import read_area_file
from server.demo import ADDRESS_FIELDS, ADDRESSES, DATA, LAYERS, european_list_fields, RESULTS
from server.dispatch.solver import Match, Rules, Targets, Teams, greedy, solve
from server.dispatch.suggest import TargetValue, TeamPosition, match, suggest
from server.results.csv_reader import read_results_csv

RULES = Rules(walk_scale_m=1000.0, max_walk_m=3000.0, home_bonus=1.25)
NATIONAL_CANDIDATES = (32, 64, 128)  # kept slots per team: how the national time scales with them


def paris_stations() -> tuple[list[TargetValue], list]:
    areas = read_area_file(DATA / LAYERS[2][1], LAYERS[2][2], None).features
    results = {
        r.code: r
        for r in read_results_csv(
            DATA / RESULTS,
            code_field="id_bv",
            registered_field="nb_inscr",
            voters_field="nb_votant",
            valid_field="nb_exprim",
            list_fields=european_list_fields(),
        ).rows
    }
    rows = []
    for f in areas:
        p = f.geom.representative_point()
        r = results.get(f.code)
        rows.append((f.code, p.x, p.y, float(r.abstentions) if r and r.abstentions is not None else 0.0))
    rows.sort(key=lambda x: (-x[3], x[0]))
    targets = [
        TargetValue(code=c, name=None, lon=x, lat=y, value=v, rank=i, district=c.split("-")[0])
        for i, (c, x, y, v) in enumerate(rows, start=1)
    ]
    return targets, areas


def paris_teams(targets: list[TargetValue], n: int, seed: int = 1) -> list[TeamPosition]:
    rnd = random.Random(seed)
    out = []
    for i in range(n):
        s = rnd.choice(targets)
        lon = s.lon + rnd.uniform(-400, 400) / 73_000
        lat = s.lat + rnd.uniform(-400, 400) / 111_000
        out.append(TeamPosition(i, f"Team {i}", None, (lon, lat), 2, s.district if i % 2 else None))
    return out


def timed_ms(fn, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t) * 1000)
    return statistics.median(times)


def national_instance() -> tuple[Teams, Targets]:
    rng = np.random.default_rng(7)
    n_st, n_teams = 69_000, 5_000
    lon_lo, lon_hi, lat_lo, lat_hi = -4.8, 8.2, 42.3, 51.1  # mainland France's bounding box
    uni = n_st // 2
    towns = np.column_stack([rng.uniform(lon_lo, lon_hi, 300), rng.uniform(lat_lo, lat_hi, 300)])
    which = rng.integers(0, 300, n_st - uni)
    lon = np.concatenate([rng.uniform(lon_lo, lon_hi, uni), towns[which, 0] + rng.normal(0, 0.04, n_st - uni)])
    lat = np.concatenate([rng.uniform(lat_lo, lat_hi, uni), towns[which, 1] + rng.normal(0, 0.03, n_st - uni)])
    targets = Targets(lon=lon, lat=lat, value=rng.gamma(2.0, 150.0, n_st))
    at = rng.integers(0, n_st, n_teams)
    teams = Teams(lon=lon[at] + rng.normal(0, 0.004, n_teams), lat=lat[at] + rng.normal(0, 0.003, n_teams))
    return teams, targets


def national(repeat: int, candidates: tuple[int, ...] = NATIONAL_CANDIDATES) -> dict:
    """The national case solved with each candidate count (ms, matched, exact, total), and the
    greedy rule on the same pruned inputs (NATIONAL_CANDIDATES[1], the server's default)."""
    teams, targets = national_instance()
    solve(teams, targets, Rules(max_walk_m=3000.0))  # warm-up, untimed: the first solve pays for imports
    out: dict = {}
    for k in candidates:
        result: dict[str, Match] = {}
        rules = Rules(max_walk_m=3000.0, candidates=k)

        def run(rules=rules, result=result):
            result["m"] = solve(teams, targets, rules)

        out[k] = (timed_ms(run, repeat), result["m"])
    k = Rules().candidates
    ref = greedy(teams, targets, Rules(max_walk_m=3000.0, candidates=k))
    best = out[k][1]
    assert best.total >= ref.total - 1e-6 * abs(ref.total), (best.total, ref.total)
    return {
        "national_5000_teams_ms": round(out[k][0], 1),
        "national_stations": len(targets),
        "national_matched": len(best.team),
        "national_exact": best.exact,
        "national_candidates": k,
        "national_optimal_total": round(best.total, 1),
        "national_greedy_total": round(ref.total, 1),
        "national_optimal_over_greedy": round(best.total / ref.total, 4),
        "national_ms_by_candidates": {str(c): round(ms, 1) for c, (ms, _) in out.items()},
        "national_total_by_candidates": {str(c): round(m.total, 1) for c, (_, m) in out.items()},
    }


def routes(areas, n_stations: int) -> float:
    parsed = read_address_file(DATA / ADDRESSES, **ADDRESS_FIELDS)
    pts = shapely.points([(r[4], r[5]) for r in parsed.rows])
    polys = [f.geom for f in areas]
    tree = shapely.STRtree(polys)
    pt_idx, poly_idx = tree.query(pts, predicate="within")
    by_station: dict[int, list[Door]] = {}
    for p, a in zip(pt_idx, poly_idx):
        r = parsed.rows[p]
        by_station.setdefault(int(a), []).append(Door(int(p), r[1], r[2], r[4], r[5]))
    rnd = random.Random(3)
    ratios = []
    for a in rnd.sample(sorted(by_station), min(n_stations, len(by_station))):
        doors = by_station[a]
        if len(doors) < 4:
            continue
        _, route_m, walk_m = route(doors)
        if walk_m > 0:
            ratios.append(route_m / walk_m)
    return statistics.median(ratios)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--route-stations", type=int, default=100)
    args = ap.parse_args()
    targets, areas = paris_stations()
    teams = paris_teams(targets, 1000)
    paris_ms = timed_ms(lambda: suggest(teams, targets, RULES), args.repeat)
    best, ref = match(teams, targets, RULES, optimal=True), match(teams, targets, RULES, optimal=False)
    assert best.total >= ref.total - 1e-6 * abs(ref.total), (best.total, ref.total)
    nat = national(max(1, args.repeat // 2))
    print(
        orjson.dumps(
            {
                "bench": "dispatch",
                "paris_1000_teams_ms": round(paris_ms, 1),
                "paris_stations": len(targets),
                "paris_matched": len(best.team),
                **nat,
                "optimal_over_greedy": round(best.total / ref.total, 4),
                "optimal_total": round(best.total, 1),
                "greedy_total": round(ref.total, 1),
                "route_vs_street_order": round(routes(areas, args.route_stations), 4),
                "route_stations": args.route_stations,
                "repeat": args.repeat,
                "load": os.getloadavg()[0],
                "python": platform.python_version(),
            }
        ).decode()
    )


if __name__ == "__main__":
    main()
