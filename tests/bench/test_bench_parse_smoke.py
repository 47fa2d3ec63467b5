"""A short run of `python -m bench.parse`: one JSON line, both paths measured, and the same pings
from both. No timing assertions (the figures go to docs/benchmarks.md)."""

from __future__ import annotations

import subprocess
import sys

import orjson

from server.settings import PROJECT_ROOT


def test_bench_parse_prints_one_json_line():
    out = subprocess.run(
        [sys.executable, "-m", "bench.parse", "--frames", "200", "--rounds", "2"],
        cwd=PROJECT_ROOT,
        capture_output=True,
        timeout=120,
        check=False,
    )
    lines = out.stdout.decode().strip().splitlines()
    assert out.returncode == 0 and len(lines) == 1, out.stderr.decode()[-2000:]
    report = orjson.loads(lines[0])
    assert report["same_pings"] is True
    assert set(report["us_per_ping"]) == {"protocol", "wire"}
    assert all(len(r) == 2 for r in report["us_per_ping_rounds"].values())
    assert report["wire_over_protocol"] > 0
