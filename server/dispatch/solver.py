"""Which team to send to which target: an optimal assignment, not a greedy one.

Pure and vectorised (numpy, scipy), no I/O, so that it is unit-tested and benchmarked alone.

The value of sending team i to target j is the target's remaining value discounted by the walk:

    value(i, j) = value_j / (1 + metres(i, j) / walk_scale_m)   (x home_bonus in the team's district)

so a target `walk_scale_m` away is worth half as much as one at the team's feet. Pairs further
than `max_walk_m` are not offered. A target may take several teams (`capacity`, e.g. its free
turfs): the k-th team at a target (counting those already there) adds value_j / (1 + k), the same
diminishing return as the priorities ranking, so a second team goes to a big station only when
nothing nearby is worth more.

The match maximises the total value over all teams at once (scipy's linear_sum_assignment, a
Jonker-Volgenant solver, on the dense team x slot matrix). At national scale the dense matrix
would hold billions of pairs, so each team keeps only its `candidates` best slots within the
walk (found with a k-d tree on the sphere) and the sparse problem is solved with scipy's
min_weight_full_bipartite_matching (LAPJVsp). Keeping each team's n best slots, n the number of
teams, is exact (of its n best, at most n - 1 are taken by others, so it can always do as well
inside them); `exact` says whether the pruning kept that guarantee.

A (team, target) pair may be banned (a coordinator rejected it a moment ago): it is worth 0 to
that team, so it is never suggested, while the team stays free to take any other target.

Teams with a live position are matched first, as they are the ones HQ can send now; teams with
none are matched afterwards, on what is left, on the bare value (no walk known).

`greedy` is the old rule (best pair first, then the best of what is left), kept as the reference
that the benchmark and the tests compare against.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from scipy.optimize import linear_sum_assignment
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import min_weight_full_bipartite_matching
from scipy.spatial import cKDTree

EARTH_M = 6_371_000.0
DENSE_MAX_PAIRS = 6_000_000  # above this many team x slot pairs, prune and solve sparse


@dataclass(frozen=True)
class Rules:
    walk_scale_m: float = 1000.0  # a target this far away is worth half
    max_walk_m: float | None = 3000.0  # never suggest a longer walk (None: no limit)
    home_bonus: float = 1.0  # value factor for a target in the team's home district
    candidates: int = 64  # slots kept per team when the problem is too big for a dense matrix


@dataclass(frozen=True)
class Targets:
    lon: np.ndarray
    lat: np.ndarray
    value: np.ndarray  # remaining value, >= 0
    capacity: np.ndarray | None = None  # teams the target can take in all (default 1)
    taken: np.ndarray | None = None  # teams already there (default 0)
    district: np.ndarray | None = None  # int codes, -1 for none

    def __len__(self) -> int:
        return len(self.value)


@dataclass(frozen=True)
class Teams:
    lon: np.ndarray  # NaN: no live position
    lat: np.ndarray
    district: np.ndarray | None = None  # int codes, -1 for none

    def __len__(self) -> int:
        return len(self.lon)


@dataclass
class Match:
    team: np.ndarray  # team index
    target: np.ndarray  # target index
    value: np.ndarray  # value of the pair as defined above
    distance_m: np.ndarray  # NaN for teams without a position
    nth: np.ndarray  # 0: first team at the target, 1: second…
    exact: bool = True
    total: float = field(init=False)

    def __post_init__(self) -> None:
        self.total = float(self.value.sum())


@dataclass(frozen=True)
class _Slots:
    """Each target repeated once per free place; `nth` is how many teams are there before it."""

    target: np.ndarray
    nth: np.ndarray
    value: np.ndarray


def unit_vectors(lon: np.ndarray, lat: np.ndarray) -> np.ndarray:
    lo, la = np.radians(np.asarray(lon, float)), np.radians(np.asarray(lat, float))
    c = np.cos(la)
    return np.column_stack((c * np.cos(lo), c * np.sin(lo), np.sin(la)))


def _slots(t: Targets) -> _Slots:
    n = len(t)
    cap = np.ones(n, int) if t.capacity is None else np.asarray(t.capacity, int)
    taken = np.zeros(n, int) if t.taken is None else np.asarray(t.taken, int)
    free = np.clip(cap - taken, 0, None) * (np.asarray(t.value) > 0)
    target = np.repeat(np.arange(n), free)
    # position of each slot inside its target's run of slots
    starts = np.repeat(np.cumsum(free) - free, free)
    nth = taken[target] + (np.arange(len(target)) - starts)
    return _Slots(target, nth, np.asarray(t.value, float)[target] / (1 + nth))


def _pair_values(
    rules: Rules, teams: Teams, idx: np.ndarray, targets: Targets, slots: _Slots, cols: np.ndarray | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """(values, metres) for teams `idx` x slots (all, or `cols` row by row: same shape as cols)."""
    tgt = slots.target if cols is None else slots.target[cols]
    value = slots.value if cols is None else slots.value[cols]
    located = ~np.isnan(teams.lon[idx])
    u = unit_vectors(np.where(located, teams.lon[idx], 0.0), np.where(located, teams.lat[idx], 0.0))
    v = unit_vectors(targets.lon, targets.lat)[tgt]  # (slots, 3) or (teams, k, 3)
    # Great-circle metres from the chord between unit vectors, taken as a difference (stable
    # for the short walks that matter, unlike the arccos of a dot product) and with one
    # transcendental per pair: the dense Paris matrix is about a million pairs.
    chord2 = (u[:, 0, None] - v[..., 0]) ** 2
    chord2 += (u[:, 1, None] - v[..., 1]) ** 2
    chord2 += (u[:, 2, None] - v[..., 2]) ** 2
    metres = np.sqrt(chord2, out=chord2)
    metres *= 0.5
    np.arcsin(np.minimum(metres, 1.0, out=metres), out=metres)
    metres *= 2 * EARTH_M
    out = value / (1 + metres / rules.walk_scale_m)
    if rules.max_walk_m is not None:
        out[metres > rules.max_walk_m] = 0.0
    if not located.all():
        metres[~located] = np.nan
        out[~located] = np.broadcast_to(value, out.shape)[~located]
    if rules.home_bonus != 1.0 and teams.district is not None and targets.district is not None:
        home = teams.district[idx][:, None]
        out[(home >= 0) & (home == targets.district[tgt])] *= rules.home_bonus
    return out, metres


Bans = dict[int, np.ndarray]  # team index -> target indices that team must not be suggested


def _ban(values: np.ndarray, idx: np.ndarray, tgt: np.ndarray, bans: Bans | None) -> None:
    """Zero the banned pairs in `values` (rows: teams `idx`; `tgt`: the target of each column,
    one row for all or one per team, as `values`)."""
    if not bans:
        return
    for row, team in enumerate(idx):
        banned = bans.get(int(team))
        if banned is not None and len(banned):
            cols = tgt if tgt.ndim == 1 else tgt[row]
            values[row, np.isin(cols, banned)] = 0.0


def _match(team: list, slot: list, value: list, metres: list, slots: _Slots, exact: bool) -> Match:
    team_a, slot_a = np.asarray(team, int), np.asarray(slot, int)
    return Match(
        team_a, slots.target[slot_a], np.asarray(value, float), np.asarray(metres, float), slots.nth[slot_a], exact
    )


def _phases(teams: Teams) -> list[np.ndarray]:
    located = ~np.isnan(np.asarray(teams.lon, float))
    return [np.flatnonzero(located), np.flatnonzero(~located)]


def solve(teams: Teams, targets: Targets, rules: Rules = Rules(), bans: Bans | None = None) -> Match:
    """The match of greatest total value (teams with a position first, then the others), no
    team matched to a target `bans` forbids it."""

    def phase(idx: np.ndarray, sub: _Slots):
        dense = len(idx) * len(sub.target) <= DENSE_MAX_PAIRS
        if dense or np.isnan(teams.lon[idx[0]]):
            return (*_solve_dense(rules, teams, idx, targets, sub, dense, bans), True)
        return _solve_sparse(rules, teams, idx, targets, sub, bans)

    return _by_phases(teams, targets, phase)


def _by_phases(teams: Teams, targets: Targets, phase) -> Match:
    """What `solve` and `greedy` share: the teams with a position matched first, then the others,
    each phase by `phase(idx, sub)` over the slots still free, which returns the matched rows
    (into idx), their slots (into sub), values, metres, and whether the phase is exact."""
    slots = _slots(targets)
    free = np.ones(len(slots.target), bool)
    out_team, out_slot, out_value, out_m = [], [], [], []
    exact = True
    for idx in _phases(teams):
        cols = np.flatnonzero(free)
        if len(idx) == 0 or len(cols) == 0:
            continue
        sub = _Slots(slots.target[cols], slots.nth[cols], slots.value[cols])
        rows, picked, vals, ms, ok = phase(idx, sub)
        exact &= ok
        out_team += list(idx[rows])
        out_slot += list(cols[picked])
        out_value += list(vals)
        out_m += list(ms)
        free[cols[picked]] = False
    return _match(out_team, out_slot, out_value, out_m, slots, exact)


def _solve_dense(rules, teams, idx, targets, sub, small=True, bans=None):
    banned_here = bool(bans) and any(int(i) in bans for i in idx)
    alike = rules.home_bonus == 1.0 or teams.district is None or not small
    if np.isnan(teams.lon[idx[0]]) and alike and not banned_here:
        # No position, no home: every team values the slots alike, so the best slots in value
        # order, to the teams in index order, is optimal without a matrix (with a home bonus
        # too many pairs for a matrix, the home is ignored for these teams).
        best = np.argsort(-sub.value, kind="stable")[: len(idx)]
        best = best[sub.value[best] > 0]
        rows = np.arange(len(best))
        return rows, best, sub.value[best], np.full(len(best), np.nan)
    values, metres = _pair_values(rules, teams, idx, targets, sub)
    _ban(values, idx, sub.target, bans)
    rows, cols = linear_sum_assignment(values, maximize=True)
    keep = values[rows, cols] > 0  # a zero is "no feasible target", not a suggestion
    rows, cols = rows[keep], cols[keep]
    return rows, cols, values[rows, cols], metres[rows, cols]


def _candidates(rules, teams, idx, targets, sub) -> tuple[np.ndarray, bool]:
    """For each team in idx, up to `rules.candidates` slot indices (into sub), -1 padded, and
    whether the pruning kept the optimum (see the module docstring)."""
    k = rules.candidates
    tree = cKDTree(unit_vectors(targets.lon[sub.target], targets.lat[sub.target]))
    u = unit_vectors(teams.lon[idx], teams.lat[idx])
    if rules.max_walk_m is None:
        near = tree.query(u, k=min(4 * k, len(sub.target)))[1]
        near = [list(np.atleast_1d(r)) for r in near]
        exact = False
    else:
        chord = 2 * np.sin(rules.max_walk_m / EARTH_M / 2)
        near = tree.query_ball_point(u, chord)
        exact = True
    out = np.full((len(idx), k), -1, int)
    for row, cand in enumerate(near):
        cand = np.asarray(cand, int)
        if len(cand) > k:
            exact &= k >= len(idx)
            vals, _ = _pair_values(rules, teams, idx[row : row + 1], targets, sub, cand[None, :])
            cand = cand[np.argsort(-vals[0], kind="stable")[:k]]
        out[row, : len(cand)] = cand
    return out, exact


def _pruned(rules, teams, idx, targets, sub, bans=None):
    """The candidate table: for each team in idx, its kept slots (-1 padded), their values (0
    where none or banned) and metres, and whether the pruning kept the optimum."""
    cand, exact = _candidates(rules, teams, idx, targets, sub)
    safe = np.where(cand >= 0, cand, 0)
    values, metres = _pair_values(rules, teams, idx, targets, sub, safe)
    values = np.where(cand >= 0, values, 0.0)
    _ban(values, idx, sub.target[safe], bans)
    return cand, values, metres, exact


def _solve_sparse(rules, teams, idx, targets, sub, bans=None):
    cand, values, metres, exact = _pruned(rules, teams, idx, targets, sub, bans)
    n = len(idx)
    # Only the slots some team kept are columns (a few per team, not the whole country). Every
    # team also gets a dummy slot of its own worth 0 ("no suggestion"), so that a full matching
    # always exists; weights are shifted to stay positive (a sparse zero is no edge).
    top = float(values.max(initial=0.0)) + 1.0
    rows_e, cols_e = np.nonzero(values > 0)
    used, col = np.unique(cand[rows_e, cols_e], return_inverse=True)
    m = len(used)
    r = np.concatenate([rows_e, np.arange(n)])
    c = np.concatenate([col, m + np.arange(n)])
    w = np.concatenate([top - values[rows_e, cols_e], np.full(n, top)])
    graph = csr_matrix((w, (r, c)), shape=(n, m + n))
    matched = _lapjvsp(graph)
    rows = np.flatnonzero(matched < m)
    picked = used[matched[rows]]
    # value and metres of the chosen pairs, looked up in the candidate table
    where = (cand[rows] == picked[:, None]).argmax(axis=1)
    return rows, picked, values[rows, where], metres[rows, where], exact


def _lapjvsp(graph: csr_matrix) -> np.ndarray:
    """Column matched to each row of a sparse biadjacency matrix, at least cost."""
    rows, cols = min_weight_full_bipartite_matching(graph)
    out = np.full(graph.shape[0], -1, int)
    out[rows] = cols
    return out


def greedy(teams: Teams, targets: Targets, rules: Rules = Rules(), bans: Bans | None = None) -> Match:
    """The reference: repeatedly the best remaining (team, slot) pair. Same inputs, same phases,
    and on a problem too big for a dense matrix, the same pruned candidates as `solve`."""

    def phase(idx: np.ndarray, sub: _Slots):
        ok = True
        if len(idx) * len(sub.target) <= DENSE_MAX_PAIRS or np.isnan(teams.lon[idx[0]]):
            values, metres = _pair_values(rules, teams, idx, targets, sub)
            _ban(values, idx, sub.target, bans)
            slot_of = np.broadcast_to(np.arange(len(sub.target)), values.shape)
        else:
            slot_of, values, metres, ok = _pruned(rules, teams, idx, targets, sub, bans)
        order = np.argsort(-values, axis=None, kind="stable")
        used_r, used_c = np.zeros(len(idx), bool), np.zeros(len(sub.target), bool)
        rows, picked, vals, ms = [], [], [], []
        for flat in order:
            i, k = divmod(int(flat), values.shape[1])
            j = int(slot_of[i, k])
            if values[i, k] <= 0:
                break
            if used_r[i] or used_c[j]:
                continue
            used_r[i] = used_c[j] = True
            rows.append(i)
            picked.append(j)
            vals.append(values[i, k])
            ms.append(metres[i, k])
            if used_r.all() or used_c.all():
                break
        return np.array(rows, int), np.array(picked, int), vals, ms, ok

    return _by_phases(teams, targets, phase)
