"""A short run of `python -m bench.apps`: both protocols against the parse-only references and the
ingest service. Checks the JSON line's shape and that what was answered was stored; no timing
assertions."""

from __future__ import annotations

import os
import subprocess
import sys

import orjson

from server.settings import PROJECT_ROOT

RUN_KEYS = {"req_per_s", "p50_ms", "p99_ms", "requests", "errors", "statuses", "server_cpu_ms_per_req"}
INGEST_KEYS = RUN_KEYS | {"answered_stored", "rows_stored", "lost", "log_errors", "ratio_to_parse_only"}


async def test_bench_apps_short_run(paris, database_url, redis_url):
    # 30 volunteers answer thousands of requests a second here, past the per-device rate limit
    # (20/s, burst 100): its 429s would be errors. The real run spreads them over 3,000.
    env = dict(
        os.environ,
        QUADRILLER_DATABASE_URL=database_url,
        QUADRILLER_REDIS_URL=redis_url,
        QUADRILLER_INGEST_RATE_PER_DEVICE="100000",
        QUADRILLER_INGEST_RATE_BURST="100000",
    )
    args = ["--campaign", paris["slug"], "--volunteers", "30", "--connections", "4", "--seconds", "1"]
    out = subprocess.run(
        [sys.executable, "-m", "bench.apps", *args, "--warmup", "0.5"],
        cwd=PROJECT_ROOT,
        env=env,
        capture_output=True,
        timeout=240,
        check=False,
    )
    lines = out.stdout.decode().strip().splitlines()
    assert out.returncode == 0 and len(lines) == 1, (out.stdout.decode(), out.stderr.decode()[-3000:])
    report = orjson.loads(lines[0])
    assert "load average" in report["uptime_before"] and "load average" in report["uptime_after"]
    for protocol in ("owntracks", "osmand"):
        runs = report[protocol]
        for name in ("parse_only", "parse_only_fastapi"):
            assert RUN_KEYS <= runs[name].keys()
            assert runs[name]["requests"] > 0 and runs[name]["errors"] == 0, runs[name]
        ingest = runs["ingest"]
        assert INGEST_KEYS <= ingest.keys(), INGEST_KEYS - ingest.keys()
        assert ingest["requests"] > 0 and ingest["errors"] == 0, ingest
        # an answer 200 means committed: every answered fix is in PostGIS, once
        assert ingest["answered_stored"] == ingest["rows_stored"] and ingest["lost"] == 0
        assert ingest["log_errors"] == 0
