"""A short run of `python -m bench.dispatch` on the real Paris data: one JSON line with the keys
the issue asks for, the optimal total never below the greedy one, and 2-opt never lengthening a
walk. No timing assertions."""

from __future__ import annotations

import subprocess
import sys

import orjson

from server.settings import PROJECT_ROOT


def test_bench_dispatch_prints_one_json_line():
    out = subprocess.run(
        [sys.executable, "-m", "bench.dispatch", "--repeat", "1", "--route-stations", "10"],
        cwd=PROJECT_ROOT,
        capture_output=True,
        timeout=600,
        check=False,
    )
    lines = out.stdout.decode().strip().splitlines()
    assert out.returncode == 0 and len(lines) == 1, out.stderr.decode()[-3000:]
    r = orjson.loads(lines[0])
    assert {"paris_1000_teams_ms", "national_5000_teams_ms", "optimal_over_greedy", "route_vs_street_order"} <= set(r)
    assert r["optimal_over_greedy"] >= 1.0 and r["optimal_total"] >= r["greedy_total"]
    assert 0 < r["route_vs_street_order"] <= 1.0
    assert r["paris_stations"] == 902 and r["paris_matched"] > 850 and r["national_matched"] > 4000
