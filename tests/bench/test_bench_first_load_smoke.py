"""`python -m bench.first_load --url …` against a real HQ server on the Paris campaign: it prints
one JSON line whose figures are consistent (compressed bytes well under the uncompressed GeoJSON,
the stations' answer among the largest). No timing assertions."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys

import orjson
import pytest

from server.settings import PROJECT_ROOT
from tests.conftest import add_user
from tests.web.conftest import live_server  # noqa: F401 - the fixture

pytestmark = pytest.mark.browser


async def test_bench_first_load_prints_one_json_line(paris, pool, live_server):  # noqa: F811
    user = await add_user(pool, paris["slug"], "coordinator")
    cmd = [
        sys.executable,
        "-m",
        "bench.first_load",
        "--url",
        live_server,
        "--token",
        user["token"],
        "--campaign",
        paris["slug"],
        "--timeout",
        "240",
    ]
    out = await asyncio.to_thread(
        subprocess.run, cmd, cwd=PROJECT_ROOT, env=dict(os.environ), capture_output=True, timeout=300, check=False
    )
    lines = out.stdout.decode().strip().splitlines()
    assert out.returncode == 0 and len(lines) == 1, out.stderr.decode()[-3000:]
    r = orjson.loads(lines[0])
    assert r["page_errors"] == []
    assert r["first_draw_s"] > 0 and r["stations"]["loaded_s"] <= r["first_draw_s"]
    # compressed: the stations' GeoJSON alone is ~1.9 MB uncompressed
    assert 200_000 < r["bytes_transferred"] < 1_500_000
    assert "/api/campaigns/%s/areas" % paris["slug"] in r["responses"]
    assert any(path.startswith("/assets/vendor-") for path in r["responses"])
