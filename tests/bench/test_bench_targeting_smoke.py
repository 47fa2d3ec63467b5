"""A run of `python -m bench.targeting` on three real arrondissements of Paris (every step of the
bench, on a part of the city): the JSON line's shape and that its counts add up. No timing
assertions (the figures go to docs/benchmarks.md)."""

from __future__ import annotations

import os
import subprocess
import sys

import orjson

from server.demo import DATA
from server.settings import PROJECT_ROOT

DISTRICTS = ["5", "6", "7"]
FOLDS = 3


def test_bench_targeting_prints_one_json_line(database_url):
    out = subprocess.run(
        [sys.executable, "-m", "bench.targeting", "--districts", ",".join(DISTRICTS), "--repeat", "1"]
        + ["--folds", str(FOLDS)],
        cwd=PROJECT_ROOT,
        env=dict(os.environ, QUADRILLER_DATABASE_URL=database_url),
        capture_output=True,
        timeout=900,
        check=False,
    )
    lines = out.stdout.decode().strip().splitlines()
    assert out.returncode == 0 and len(lines) == 1, out.stderr.decode()[-3000:]
    print(lines[0])  # the figures, for `pytest -s`
    r = orjson.loads(lines[0])
    sectors = orjson.loads((DATA / "paris_secteurs_bureaux_vote_2024.geojson").read_bytes())["features"]
    stations = sum(1 for f in sectors if str(f["properties"]["arrondissement_bv"]) in DISTRICTS)
    assert r["stations"] == stations == 72 and r["districts"] == DISTRICTS and r["repeat"] == 1
    assert set(r["layer_import_s"]) == {"green", "grid", "income", "social_housing"}
    assert {
        "green_250m_query_s",
        "green_250m_cached_s",
        "score_and_rank_ms_median",
        "score_arithmetic_ms",
        "station_features_all_layers_s",
    } <= set(r)
    for m in r["models"].values():
        assert m["n"] > 0.95 * stations and len(m["r2_per_fold"]) == FOLDS and m["chosen"] in ("ridge", "boosting")
