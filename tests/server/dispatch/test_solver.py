"""The optimal dispatch solver, without services: on the real Paris stations and results (read from
data/paris as the benchmark does), and on random instances (hypothesis) against the greedy rule."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

from bench.dispatch import paris_stations, paris_teams
from server.dispatch.solver import Rules, Targets, Teams, greedy, solve
from server.dispatch.suggest import match, suggest


@pytest.fixture(scope="module")
def paris():
    return paris_stations()[0]


def test_paris_teams_get_high_value_targets_near_them_and_no_target_twice(paris):
    teams = paris_teams(paris, 200, seed=5)
    rules = Rules(max_walk_m=2500.0)
    out = suggest(teams, paris, rules)
    assert len(out) == 200
    codes = [s.station for s in out]
    assert len(codes) == len(set(codes))
    assert all(s.distance_m is not None and s.distance_m <= 2500 for s in out)
    # high value: the median suggested station sits well inside the top half of the ranking
    assert np.median([s.rank for s in out]) < len(paris) / 2
    # explained: "Team 3 → 20-12: rank 14 of 902, 650 m, 8 min walk"
    s = out[0]
    assert s.summary.startswith(f"{s.team_name} → {s.station}: rank {s.rank} of {len(paris)}, ")
    assert f"{int(s.distance_m):,} m, {s.walk_min} min walk" in s.summary


def test_optimal_beats_greedy_on_paris(paris):
    teams = paris_teams(paris, 1000, seed=1)
    rules = Rules(max_walk_m=3000.0, home_bonus=1.25)
    best, ref = match(teams, paris, rules), match(teams, paris, rules, optimal=False)
    assert best.total >= ref.total
    assert len(set(best.target.tolist())) == len(best.target)


def test_already_assigned_station_is_not_suggested_again_and_big_ones_take_several(paris):
    top, low = paris[0], paris[800]  # the best station, and one worth far less
    teams = paris_teams(paris, 3, seed=2)
    for t in teams:  # three teams standing at the best station
        t.position = (top.lon, top.lat)
    for caps, expected in (
        (dict(capacity=1, taken=1), 0),
        (dict(capacity=3, taken=0), 3),
        (dict(capacity=3, taken=2), 1),
    ):
        targets = [type(top)(**{**top.__dict__, **caps}), low]
        out = suggest(teams, targets, Rules())
        at_top = [s for s in out if s.station == top.code]
        assert len(at_top) == expected, caps
        assert len([s for s in out if s.station == low.code]) <= 1
    assert any("team number 3" in w for s in at_top for w in s.why)  # the third team there is told


def test_teams_without_position_come_after_those_in_the_street(paris):
    teams = paris_teams(paris, 20, seed=3)
    teams[0].position = None
    teams[0].live_members = 0
    out = suggest(teams, paris, Rules())
    assert out[-1].team == teams[0].id and out[-1].distance_m is None
    assert "distance unknown" in out[-1].summary


def test_max_walk_leaves_a_far_team_without_suggestion(paris):
    teams = paris_teams(paris, 2, seed=4)
    teams[1].position = (5.37, 43.30)  # Marseille: no Paris station within walking distance
    out = suggest(teams, paris, Rules(max_walk_m=3000.0))
    assert [s.team for s in out] == [teams[0].id]


def _instance(data):
    n = data.draw(st.integers(1, 12))
    m = data.draw(st.integers(1, 15))
    coord = st.floats(0.0, 0.05, allow_nan=False)
    lon = np.array([data.draw(coord) for _ in range(n)]) + 2.3
    lat = np.array([data.draw(coord) for _ in range(n)]) + 48.8
    lon[[data.draw(st.booleans()) for _ in range(n)]] = np.nan  # some teams without position
    teams = Teams(lon=lon, lat=lat, district=np.array([data.draw(st.integers(-1, 2)) for _ in range(n)]))
    targets = Targets(
        lon=np.array([data.draw(coord) for _ in range(m)]) + 2.3,
        lat=np.array([data.draw(coord) for _ in range(m)]) + 48.8,
        value=np.array([data.draw(st.floats(0.0, 1000.0)) for _ in range(m)]),
        capacity=np.array([data.draw(st.integers(1, 3)) for _ in range(m)]),
        taken=np.array([data.draw(st.integers(0, 2)) for _ in range(m)]),
        district=np.array([data.draw(st.integers(-1, 2)) for _ in range(m)]),
    )
    rules = Rules(
        walk_scale_m=data.draw(st.sampled_from([300.0, 1000.0])),
        max_walk_m=data.draw(st.sampled_from([None, 2000.0, 4000.0])),
        home_bonus=data.draw(st.sampled_from([1.0, 1.5])),
        candidates=data.draw(st.integers(1, 6)),
    )
    return teams, targets, rules


def _located_total(m, teams) -> float:
    return float(m.value[~np.isnan(teams.lon[m.team])].sum())


@settings(max_examples=120, deadline=None)
@given(st.data())
def test_optimal_is_never_below_greedy_on_random_instances(data):
    teams, targets, rules = _instance(data)
    best, ref = solve(teams, targets, rules), greedy(teams, targets, rules)
    # Teams in the street are matched first (a lexicographic objective): their total is the one
    # the optimum guarantees; with every team located (or none), that is the whole total.
    assert _located_total(best, teams) >= _located_total(ref, teams) - 1e-9 * max(1.0, ref.total)
    if np.isnan(teams.lon).all() or not np.isnan(teams.lon).any():
        assert best.total >= ref.total - 1e-9 * max(1.0, ref.total)
    for m in (best, ref):
        # no team twice, no target beyond its free places
        assert len(set(m.team.tolist())) == len(m.team)
        free = np.clip(targets.capacity - targets.taken, 0, None)
        assert all(np.bincount(m.target, minlength=len(free)) <= free)


@settings(max_examples=60, deadline=None)
@given(st.data())
def test_sparse_pruned_solver_matches_dense_when_every_team_keeps_enough(data):
    import server.dispatch.solver as solver

    teams, targets, rules = _instance(data)
    rules = Rules(rules.walk_scale_m, 4000.0, rules.home_bonus, candidates=len(teams))
    dense = solve(teams, targets, rules)
    saved = solver.DENSE_MAX_PAIRS
    solver.DENSE_MAX_PAIRS = 0
    try:
        sparse = solve(teams, targets, rules)
    finally:
        solver.DENSE_MAX_PAIRS = saved
    assert sparse.exact
    # the located teams (the sparse path's work; teams without a position are matched alike)
    want = _located_total(dense, teams)
    assert abs(_located_total(sparse, teams) - want) <= 1e-9 * max(1.0, want)


@pytest.mark.parametrize("dense_max_pairs", [None, 0])
def test_a_banned_pair_is_never_matched_but_the_team_still_gets_another_target(paris, monkeypatch, dense_max_pairs):
    import server.dispatch.solver as solver

    if dense_max_pairs is not None:  # the pruned (national-scale) path too
        monkeypatch.setattr(solver, "DENSE_MAX_PAIRS", dense_max_pairs)
    teams = paris_teams(paris, 50, seed=11)
    rules = Rules(max_walk_m=3000.0)
    for optimal in (True, False):
        before = match(teams, paris, rules, optimal=optimal)
        first = dict(zip(before.team.tolist(), before.target.tolist()))
        held = {(teams[i].id, paris[j].code) for i, j in first.items()}
        after = match(teams, paris, rules, optimal=optimal, held_back=held)
        again = dict(zip(after.team.tolist(), after.target.tolist()))
        assert all(again.get(i) != j for i, j in first.items())
        assert len(again) == len(first)  # every team still has a target, another one
