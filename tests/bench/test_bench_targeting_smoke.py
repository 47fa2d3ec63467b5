"""A run of `python -m bench.targeting` on the real Paris data: the JSON line's shape and that its
counts add up. No timing assertions (the figures go to docs/benchmarks.md)."""

from __future__ import annotations

import os
import subprocess
import sys

import orjson

from server.settings import PROJECT_ROOT


def test_bench_targeting_prints_one_json_line(database_url):
    out = subprocess.run(
        [sys.executable, "-m", "bench.targeting"],
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
    assert r["stations"] == 902
    assert set(r["layer_import_s"]) == {"green", "grid", "income", "social_housing"}
    assert {
        "green_250m_query_s",
        "green_250m_cached_s",
        "score_and_rank_ms_median",
        "score_arithmetic_ms",
        "station_features_all_layers_s",
    } <= set(r)
    for m in r["models"].values():
        assert m["n"] > 850 and len(m["r2_per_fold"]) == 5 and m["chosen"] in ("ridge", "boosting")
