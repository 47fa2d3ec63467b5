"""A short run of `python -m bench.ingest`: against the reference servers, then against the real
ingest service. Checks the JSON line's shape and that the counts add up; no timing assertions."""

from __future__ import annotations

import os
import subprocess
import sys

import orjson
import pytest

from server.settings import PROJECT_ROOT
from tests.servers import free_port, wait_port

TOP_KEYS = {
    "pings_sent",
    "pings_acked",
    "rows_in_db",
    "lost",
    "duplicates_in_db",
    "acked_per_s",
    "ack_p50_ms",
    "ack_p99_ms",
    "live_p99_ms",
    "server_cpu_s",
    "server_rss_mb",
    "limited_by",
    "generator_capacity",
    "ceiling_per_s",
    "naive_per_s",
    "ingest_max_per_s",
    "ratio_to_ceiling",
    "ratio_to_naive",
    "ratio_basis",
    "checks",
    "ingest",
    "ingest_max",
    "ceiling",
    "naive",
}
PHASE_KEYS = {
    "connected",
    "pings_sent",
    "pings_acked",
    "acked_per_s",
    "ack_p50_ms",
    "ack_p99_ms",
    "server_cpu_s",
    "server_rss_mb",
    "generator_cpu_s",
    "limited_by",
    "unacked",
    "rejected",
}


def run_bench(*args: str, timeout: float = 120) -> dict:
    env = dict(os.environ)  # QUADRILLER_DATABASE_URL / _REDIS_URL: the test database and Redis
    out = subprocess.run(
        [sys.executable, "-m", "bench.ingest", *args],
        cwd=PROJECT_ROOT,
        env=env,
        capture_output=True,
        timeout=timeout,
        check=False,
    )
    lines = out.stdout.decode().strip().splitlines()
    assert len(lines) == 1, (out.stdout.decode(), out.stderr.decode()[-3000:])
    report = orjson.loads(lines[0])
    assert out.returncode == 0, (report, out.stderr.decode()[-3000:])
    return report


def check_phase(phase: dict, volunteers: int) -> None:
    assert "error" not in phase, phase
    assert PHASE_KEYS <= phase.keys(), PHASE_KEYS - phase.keys()
    assert phase["connected"] == volunteers
    assert phase["pings_sent"] > 0
    # every ping ends acked, rejected, or still unacked when the run stops; never more acks
    assert phase["pings_acked"] + phase["rejected"] + phase["unacked"] == phase["pings_sent"]
    assert phase["duplicate_acks"] >= 0
    assert phase["ack_p50_ms"] <= phase["ack_p99_ms"]
    assert phase["server_cpu_s"] is not None and phase["server_rss_mb"] > 0
    assert isinstance(phase["limited_by"], str)


async def test_bench_against_the_references(paris, redis_url):
    r = run_bench(
        "--campaign",
        paris["slug"],
        "--volunteers",
        "20",
        "--rate",
        "200",
        "--seconds",
        "2",
        "--refs-only",
        "--workers",
        "2",
    )
    assert TOP_KEYS <= r.keys(), TOP_KEYS - r.keys()
    assert r["ingest"] is None and r["pings_sent"] is None
    for name in ("ceiling", "naive"):
        check_phase(r[name], 20)
        assert r[name]["mode"] == "saturate"
    assert r["ceiling_per_s"] == r["ceiling"]["acked_per_s"] > 0
    assert r["generator_capacity"] == r["ceiling_per_s"]
    assert r["naive_per_s"] == r["naive"]["acked_per_s"] > 0
    # the naive server stored exactly what it acknowledged
    naive = r["naive"]
    assert naive["lost"] == 0 and naive["duplicates_in_db"] == 0
    assert naive["rows_in_db"] >= naive["pings_acked"]


@pytest.fixture
def ingest_process(database_url, redis_url):
    pytest.importorskip("ingest.app")
    port = free_port()
    env = dict(os.environ, QUADRILLER_DATABASE_URL=database_url, QUADRILLER_REDIS_URL=redis_url)
    proc = subprocess.Popen(
        [sys.executable, "-m", "server.cli", "ingest", "--port", str(port)],
        cwd=PROJECT_ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    wait_port(port, proc)
    yield proc, port
    proc.terminate()
    try:
        proc.wait(timeout=15)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(timeout=5)


async def test_bench_against_the_ingest_service(paris, ingest_process):
    proc, port = ingest_process
    r = run_bench(
        "--campaign",
        paris["slug"],
        "--volunteers",
        "20",
        "--rate",
        "200",
        "--seconds",
        "2",
        "--ref-seconds",
        "1",
        "--workers",
        "2",
        "--ingest-url",
        f"ws://127.0.0.1:{port}/ws/pings",
    )
    assert TOP_KEYS <= r.keys(), TOP_KEYS - r.keys()
    ingest = r["ingest"]
    check_phase(ingest, 20)
    assert ingest["server_pids"] == [proc.pid]  # found by its port through /proc
    assert ingest["mode"] == "rate" and ingest["rate_target"] == 200
    # an ack means "committed in PostGIS": nothing acked is missing, nothing stored twice
    assert r["lost"] == 0 and r["duplicates_in_db"] == 0
    assert r["rows_in_db"] >= r["pings_acked"] == ingest["pings_acked"]
    assert r["rows_in_db"] <= r["pings_sent"]
    # the live channel carried the newest fix of (nearly) every frame
    assert ingest["live_error"] is None and ingest["live_deltas_seen"] > 0
    assert r["live_p99_ms"] is not None
    check_phase(r["ingest_max"], 20)
    assert r["ingest_max"]["lost"] == 0
    assert r["ratio_basis"] == "saturation"
    assert r["ratio_to_ceiling"] == pytest.approx(r["ingest_max_per_s"] / r["ceiling_per_s"], abs=1e-3)
    assert r["ratio_to_naive"] == pytest.approx(r["ingest_max_per_s"] / r["naive_per_s"], abs=1e-3)
    assert set(r["checks"]) >= {"zero_lost", "ack_p99_lt_250ms", "live_p99_lt_250ms"}
    assert r["checks"]["zero_lost"] is True
