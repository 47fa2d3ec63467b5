"""A short run of `python -m bench.addresses` on the real Paris addresses: the JSON line's shape,
every address imported, and a walk order that beats a random one. No timing assertions."""

from __future__ import annotations

import os
import subprocess
import sys

import orjson

from server.settings import PROJECT_ROOT


def test_bench_addresses_prints_one_json_line(database_url):
    out = subprocess.run(
        [sys.executable, "-m", "bench.addresses", "--stations", "20"],
        cwd=PROJECT_ROOT,
        env=dict(os.environ, QUADRILLER_DATABASE_URL=database_url),
        capture_output=True,
        timeout=300,
        check=False,
    )
    lines = out.stdout.decode().strip().splitlines()
    assert out.returncode == 0 and len(lines) == 1, out.stderr.decode()[-3000:]
    r = orjson.loads(lines[0])
    assert (r["addresses"], r["located"]) == (158_048, 156_964)
    assert r["stations_walked"] >= 15 and r["walk_vs_random_median"] < 0.3 and r["walk_vs_file_order_median"] < 0.8
    assert {"parse_s", "import_and_locate_s", "walk_ms_median", "walk_ms_max", "doors_median"} <= set(r)
