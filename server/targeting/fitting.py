"""`quadriller model fit`: the dataset from PostgreSQL (earlier results, layer features, districts),
the fit in server/targeting/model.py, and the stored model."""

from __future__ import annotations

from collections.abc import Callable

import time

import asyncpg
import numpy as np

from server.errors import InvalidInput
from server.layers.loading import ensure_station_features, layer_by_name
from server.sql import sql
from server.targeting import model as modelling

ABSTENTION = "abstention"


def parse_target(text: str) -> tuple[str, str]:
    election, sep, what = text.rpartition(":")
    if not sep or not election or not what:
        raise InvalidInput(f"--target {text!r}: expected ELECTION:LIST or ELECTION:abstention")
    return election, what


def station_value(row, what: str) -> float | None:
    """A station's abstention rate, or a list's share of valid votes."""
    if row is None:
        return None
    if what == ABSTENTION:
        return row["abstentions"] / row["registered"] if row["registered"] and row["abstentions"] is not None else None
    return ((row["lists"] or {}).get(what) or {}).get("share")


async def _results(conn, campaign_id: int, election: str) -> dict:
    rows = {r["code"]: r for r in await conn.fetch(sql("targeting/election_rows"), campaign_id, election)}
    if not rows:
        raise InvalidInput(f"no results for election {election!r} in this campaign")
    return rows


async def build_dataset(
    conn: asyncpg.Connection,
    campaign_id: int,
    target: str,
    from_elections: list[str],
    layers: list[str],
    baseline: str | None,
) -> tuple[modelling.Dataset, dict, str]:
    t_election, t_what = parse_target(target)
    if t_election in from_elections:
        raise InvalidInput(f"--from {t_election}: the target election cannot be its own feature")
    target_rows = await _results(conn, campaign_id, t_election)
    if t_what != ABSTENTION and not any(t_what in (r["lists"] or {}) for r in target_rows.values()):
        raise InvalidInput(f"no list {t_what!r} in election {t_election!r}")
    earlier = {e: await _results(conn, campaign_id, e) for e in from_elections}
    columns: list[tuple[str, Callable[..., float | None]]] = []  # (feature name, code -> value)
    for e, rows in earlier.items():
        columns.append((f"{e}:{ABSTENTION}", lambda code, rows=rows: station_value(rows.get(code), ABSTENTION)))
        names = sorted({k for r in rows.values() for k in (r["lists"] or {})})
        columns += [(f"{e}:{n}", lambda code, rows=rows, n=n: station_value(rows.get(code), n)) for n in names]
    if layers:
        await ensure_station_features(conn, campaign_id)
        for name in layers:
            await layer_by_name(conn, campaign_id, name)
        feats: dict[str, dict[str, float | None]] = {}
        for r in await conn.fetch(sql("layers/station_features_by_code"), campaign_id):
            if r["layer"] in layers:
                for k in ("distance_m", "value_sum", "value_mean"):
                    feats.setdefault(f"{r['layer']}:{k}", {})[r["code"]] = r[k]
        columns += [(k, lambda code, d=d: d.get(code)) for k, d in sorted(feats.items())]
    base_list = baseline or t_what
    base_rows = earlier[from_elections[0]]
    stations = await conn.fetch(sql("targeting/station_districts"), campaign_id)
    codes, groups, X, y, base = [], [], [], [], []
    for s in stations:
        value = station_value(target_rows.get(s["code"]), t_what)
        if value is None:
            continue
        codes.append(s["code"])
        groups.append(s["district"] or "?")
        X.append([np.nan if (v := get(s["code"])) is None else v for _, get in columns])
        y.append(value)
        b = station_value(base_rows.get(s["code"]), base_list)
        base.append(np.nan if b is None else b)
    matrix = np.array(X, dtype=float)
    keep = ~np.all(np.isnan(matrix), axis=0)  # a feature nobody has tells nothing
    names = [n for (n, _), k in zip(columns, keep) if k]
    if len(codes) < 20:
        raise InvalidInput(f"only {len(codes)} stations have the target {target!r}: too few to fit a model")
    ds = modelling.Dataset(codes, groups, names, matrix[:, keep], np.array(y), np.array(base))
    actual = dict(zip(codes, y))
    return ds, actual, ("abstention" if t_what == ABSTENTION else "share")


async def fit_and_store(
    conn: asyncpg.Connection,
    campaign_id: int,
    target: str,
    from_elections: list[str],
    layers: list[str],
    baseline: str | None,
    folds: int = 5,
) -> dict:
    if not 2 <= folds <= 50:
        raise InvalidInput(f"--folds {folds}: expected 2 to 50")
    ds, actual, kind = await build_dataset(conn, campaign_id, target, from_elections, layers, baseline)
    started = time.perf_counter()
    result = modelling.fit(ds, folds)
    seconds = time.perf_counter() - started
    stored = {
        **result,
        "target": target,
        "kind": kind,
        "from": from_elections,
        "layers": layers,
        "baseline_list": baseline,
        "actual": actual,
        "fit_seconds": seconds,
    }
    row = await conn.fetchrow(sql("targeting/save_model"), campaign_id, target, result["used"], stored)
    summary = {k: result[k] for k in ("n", "folds", "chosen", "used", "baseline", "ridge", "boosting")}
    top = sorted(result["weights"]["values"].items(), key=lambda kv: -abs(kv[1]))[:8]
    return {
        "model_id": row["id"],
        "target": target,
        "features": len(ds.features),
        **summary,
        "top_weights": dict(top),
        "weights_kind": result["weights"]["kind"],
        "fit_seconds": round(seconds, 3),
        "note": None if result["used"] else "the model does not beat the baseline: it is stored but not used",
    }
