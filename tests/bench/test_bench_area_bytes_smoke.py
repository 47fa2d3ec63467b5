"""`python -m bench.area_bytes` on the Paris campaign: one JSON line, sizes that add up (simplifying
never adds vertices, compression shrinks). No timing assertions."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys

import orjson

from server.settings import PROJECT_ROOT


async def test_bench_area_bytes_prints_one_json_line(paris, database_url):
    cmd = [sys.executable, "-m", "bench.area_bytes", "--campaign", paris["slug"]]
    out = await asyncio.to_thread(
        subprocess.run,
        cmd,
        cwd=PROJECT_ROOT,
        capture_output=True,
        timeout=300,
        env=dict(os.environ, QUADRILLER_DATABASE_URL=database_url),
        check=False,
    )
    lines = out.stdout.decode().strip().splitlines()
    assert out.returncode == 0 and len(lines) == 1, out.stderr.decode()[-3000:]
    r = orjson.loads(lines[0])
    assert r["areas"] == 902
    assert r["vertices"] >= r["coverage_5m"]["vertices"] >= r["coverage_50m"]["vertices"] > 902 * 3
    for key in ("geojson", "coverage_5m", "coverage_20m", "coverage_50m", "mvt_z12", "whole_answer"):
        assert 0 < r[key]["brotli"] < r[key]["bytes"], key
    assert r["mvt_z14"]["tiles"] > r["mvt_z11"]["tiles"] > 0
