"""Targeting: open-data layers, Corto's distance query, scoring and the model, on real Paris data.

    python -m bench.targeting [--districts 5,6,7] [--repeat 5] [--folds 5]

--districts: only these arrondissements of Paris (their stations, results and addresses; the
layers stay whole), so that a smoke test runs every step on a part of the city. --repeat: timed
runs per scoring figure (medians). --folds: the models' cross-validation folds (by district).

Uses QUADRILLER_DATABASE_URL. Imports Paris (stations, European 2024 results, addresses) into a
throw-away campaign (removed afterwards), then times: importing each layer (parse + store +
station features), recomputing all station features, the 250 m green-space query for the whole
city (cold, then from the cache), scoring and ranking the 902 stations (end to end with SQL, with
the per-election statics cached and without, the default ranking's SQL that scoring read before
the cache, and the arithmetic alone), and fitting the models of municipal 2026 round 1 (abstention, and La France
insoumise's share) from the European 2024 results, income and social housing, with their
cross-validated R² against the naive baseline. Prints one JSON line.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import platform
import tempfile
import time
import uuid
from pathlib import Path

import orjson

from server.campaigns.queries import create_campaign
from server.db import connect
from server.demo import MUNICIPAL_2026_ELECTION, import_city, import_layers, import_municipal_2026
from server.layers.loading import compute_station_features, zone_shares
from server.settings import Settings
from server.sql import sql
from server.timewindow import window
from server.targeting import inputs
from server.targeting import score as scoring
from server.targeting.fitting import fit_and_store
from server.targeting.queries import score_stations
from server.targeting.schemas import FactorSpec, Target

CAMP = ["glucksmann_raphaël", "toussaint_marie"]
MODELS = ((f"{MUNICIPAL_2026_ELECTION}:abstention", None), (f"{MUNICIPAL_2026_ELECTION}:pct_chikirou", "aubry_manon"))


def _model_summary(out: dict) -> dict:
    return {
        "chosen": out["chosen"],
        "used": out["used"],
        "fit_s": out["fit_seconds"],
        "n": out["n"],
        "r2": round(out[out["chosen"]]["overall"]["r2"], 3),
        "mae": round(out[out["chosen"]]["overall"]["mae"], 4),
        "ridge_r2": round(out["ridge"]["overall"]["r2"], 3),
        "boosting_r2": round(out["boosting"]["overall"]["r2"], 3),
        "baseline_r2": round(out["baseline"]["overall"]["r2"], 3),
        "baseline_mae": round(out["baseline"]["overall"]["mae"], 4),
        "r2_per_fold": [round(f["r2"], 3) for f in out[out["chosen"]]["per_fold"]],
    }


async def run(districts: list[str] | None = None, repeat: int = 5, folds: int = 5) -> dict:
    conn = await connect(Settings().database_url)
    campaign = await create_campaign(conn, "bench-" + uuid.uuid4().hex[:8], "bench.targeting")
    cid = campaign["id"]
    try:
        await import_city(conn, cid, districts=districts)
        layer_s = await import_layers(conn, cid)
        t = time.perf_counter()
        for layer in await conn.fetch(sql("layers/list"), cid):
            await compute_station_features(conn, cid, layer["id"])
        features_s = time.perf_counter() - t
        t = time.perf_counter()
        shares = await zone_shares(conn, cid, "green", 250)
        zone_cold_s = time.perf_counter() - t
        t = time.perf_counter()
        await zone_shares(conn, cid, "green", 250)
        zone_cached_s = time.perf_counter() - t
        target = Target(election="europeennes-2024", camp=CAMP, factors=[FactorSpec(layer="green", metres=250)])
        cold, runs, shared_sql = [], [], []
        for _ in range(repeat):
            inputs.forget()  # as on the first call after a restart or a re-import
            t = time.perf_counter()
            await score_stations(conn, cid, target)
            cold.append(time.perf_counter() - t)
        for _ in range(repeat):
            t = time.perf_counter()
            _, rows = await score_stations(conn, cid, target)
            runs.append(time.perf_counter() - t)
        for _ in range(repeat):  # what scoring read before the statics were cached (the default ranking's SQL)
            t = time.perf_counter()
            await conn.fetch(sql("priorities/stations"), cid, "europeennes-2024", *window(None, None), None)
            shared_sql.append(time.perf_counter() - t)
        fig = [scoring.StationInputs(r["code"], r["registered"], None, None, {}) for r in rows]
        for f, r in zip(fig, rows):
            f.abstentions = round(r["registered"] * r["abstention_rate"]) if r["registered"] else None
            f.shares = {CAMP[0]: r["camp_share"], CAMP[1]: 0.0}
            f.beyond = {"share_beyond_green_250m": r["share_beyond_green_250m"]}
        t = time.perf_counter()
        scoring.rank([scoring.score_station(f, CAMP, factors=[target.factors[0].factor()]) for f in fig])
        arithmetic_ms = (time.perf_counter() - t) * 1000
        with tempfile.TemporaryDirectory() as tmp:
            layer_s.update(await import_municipal_2026(conn, cid, Path(tmp)))
        models = {}
        for name, baseline in MODELS:
            out = await fit_and_store(
                conn, cid, name, ["europeennes-2024"], ["income", "social_housing", "green"], baseline, folds
            )
            models[name] = _model_summary(out)
    finally:
        await conn.execute("DELETE FROM campaigns WHERE id = $1", cid)
        await conn.close()
    return {
        "bench": "targeting",
        "machine": platform.node(),
        "python": platform.python_version(),
        "load_1min": round(os.getloadavg()[0], 2),
        "layer_import_s": {k: round(v, 2) for k, v in layer_s.items()},
        "station_features_all_layers_s": round(features_s, 2),
        "green_250m_query_s": round(zone_cold_s, 2),
        "green_250m_cached_s": round(zone_cached_s, 3),
        "stations": len(shares),
        "districts": districts or "all",
        "repeat": repeat,
        "score_and_rank_ms_median": round(_median(runs) * 1000, 1),
        "score_and_rank_cold_cache_ms_median": round(_median(cold) * 1000, 1),
        "priorities_sql_ms_median": round(_median(shared_sql) * 1000, 1),
        "score_arithmetic_ms": round(arithmetic_ms, 2),
        "models": models,
    }


def _median(seconds: list[float]) -> float:
    return sorted(seconds)[len(seconds) // 2]


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(prog="python -m bench.targeting", description=__doc__.split("\n")[0])
    p.add_argument("--districts", type=lambda text: text.split(","), help="arrondissements, e.g. 5,6,7 (default all)")
    p.add_argument("--repeat", type=int, default=5, help="timed runs per scoring figure")
    p.add_argument("--folds", type=int, default=5, help="cross-validation folds of the models")
    args = p.parse_args(argv)
    if args.repeat < 1:
        p.error("--repeat must be at least 1")
    print(orjson.dumps(asyncio.run(run(args.districts, args.repeat, args.folds))).decode())


if __name__ == "__main__":
    main()
