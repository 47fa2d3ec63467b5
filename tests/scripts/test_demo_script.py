"""The README's demo command, end to end: scripts/demo.sh starts its own PostgreSQL and Redis,
imports Paris, serves the map with simulated volunteers; Ctrl-C stops everything it started;
a second run is faster and imports nothing.

Runs the real script with its own state folder and free ports, so it never touches the servers
the rest of the suite uses.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import time
import urllib.request
import uuid
from pathlib import Path

import orjson
import pytest

from server.settings import PROJECT_ROOT
from tests.servers import free_port


def listening(port: int) -> bool:
    with socket.socket() as s:
        return s.connect_ex(("127.0.0.1", port)) == 0


@pytest.fixture
def demo_env():
    if not Path("/usr/lib/postgresql/15/bin/initdb").exists():
        pytest.skip("needs local PostgreSQL 15 binaries (scripts/test.sh installs them)")
    state = Path(f"/var/tmp/quadriller-demo-test-{uuid.uuid4().hex[:8]}")
    ports = {
        "QUADRILLER_PG_PORT": free_port(),
        "QUADRILLER_REDIS_PORT": free_port(),
        "QUADRILLER_PORT": free_port(),
        "QUADRILLER_INGEST_PORT": free_port(),
    }
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("QUADRILLER_DATABASE_URL", "QUADRILLER_REDIS_URL", "QUADRILLER_TEST_DATABASE_URL")
    }
    env.update({k: str(v) for k, v in ports.items()}, QUADRILLER_STATE_DIR=str(state))
    yield env, ports, state
    if os.geteuid() == 0:  # a failed run may leave its cluster up: stop it before removing it
        subprocess.run(
            [
                "su",
                "postgres",
                "-s",
                "/bin/sh",
                "-c",
                f"/usr/lib/postgresql/15/bin/pg_ctl -D {state}/pg -m immediate stop",
            ],
            capture_output=True,
        )
    shutil.rmtree(state, ignore_errors=True)


def pg_env(state: Path) -> dict:
    """The demo's cluster takes a password (never trust): the scripts keep it in the state folder."""
    return dict(os.environ, PGPASSWORD=(state / "pg-password").read_text().strip())


def run_demo_until_ready(env: dict, ports: dict, log: Path) -> tuple[subprocess.Popen, float]:
    started = time.monotonic()
    proc = subprocess.Popen(
        ["bash", "scripts/demo.sh"],
        cwd=PROJECT_ROOT,
        env=env,
        start_new_session=True,
        stdout=log.open("wb"),
        stderr=subprocess.STDOUT,
    )
    deadline = started + 240
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            pytest.fail(f"demo.sh exited with {proc.returncode}:\n{log.read_text()[-3000:]}")
        if listening(ports["QUADRILLER_PORT"]) and "#token=" in log.read_text():
            return proc, time.monotonic() - started
        time.sleep(0.5)
    os.killpg(proc.pid, signal.SIGKILL)
    pytest.fail(f"the demo did not come up:\n{log.read_text()[-3000:]}")


def stop_with_ctrl_c(proc: subprocess.Popen, ports: dict) -> None:
    os.killpg(proc.pid, signal.SIGINT)  # what Ctrl-C in the terminal does: the whole foreground group
    proc.wait(60)
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline and any(listening(p) for p in ports.values()):
        time.sleep(0.2)
    still = {name: p for name, p in ports.items() if listening(p)}
    assert not still, f"still listening after Ctrl-C: {still}"


def test_demo_runs_stops_and_restarts_fast(demo_env, tmp_path):
    env, ports, state = demo_env
    proc, first_s = run_demo_until_ready(env, ports, tmp_path / "first.log")
    try:
        text = (tmp_path / "first.log").read_text()
        token = text.split("#token=")[1].split()[0]
        base = f"http://127.0.0.1:{ports['QUADRILLER_PORT']}"
        assert b"<html" in urllib.request.urlopen(base + "/").read()
        req = urllib.request.Request(
            base + "/api/campaigns/paris/areas?level=polling_station", headers={"Authorization": f"Bearer {token}"}
        )
        assert len(orjson.loads(urllib.request.urlopen(req).read())["features"]) == 902
        # the printed phone link: the page, and a volunteer's token for the same campaign
        vtoken = text.split("/volunteer#token=")[1].split()[0]
        assert b"/src/phone" not in urllib.request.urlopen(base + "/volunteer").read()  # the built page
        req = urllib.request.Request(base + "/api/me", headers={"Authorization": f"Bearer {vtoken}"})
        assert orjson.loads(urllib.request.urlopen(req).read())["campaigns"] == [
            {"slug": "paris", "name": "Paris — municipales (démo)", "role": "volunteer"}
        ]
        cfg = orjson.loads(urllib.request.urlopen(base + "/api/config").read())
        assert cfg["ingest_ws_url"] == f"ws://127.0.0.1:{ports['QUADRILLER_INGEST_PORT']}/ws/pings"
        # simulated volunteers are walking: their pings reach the database
        deadline = time.monotonic() + 60
        pings = 0
        while time.monotonic() < deadline and pings == 0:
            out = subprocess.run(
                [
                    "psql",
                    "-h",
                    "127.0.0.1",
                    "-p",
                    str(ports["QUADRILLER_PG_PORT"]),
                    "-U",
                    "postgres",
                    "-tA",
                    "quadriller",
                    "-c",
                    "SELECT count(*) FROM pings",
                ],
                capture_output=True,
                text=True,
                env=pg_env(state),
            )
            pings = int(out.stdout.strip() or 0)
            time.sleep(1)
        assert pings > 0
        # each simulated volunteer went on shift first (pings are taken only during one)
        out = subprocess.run(
            [
                "psql",
                "-h",
                "127.0.0.1",
                "-p",
                str(ports["QUADRILLER_PG_PORT"]),
                "-U",
                "postgres",
                "-tA",
                "quadriller",
                "-c",
                "SELECT count(*) FROM shifts WHERE ended_at IS NULL",
            ],
            capture_output=True,
            text=True,
            env=pg_env(state),
        )
        assert int(out.stdout.strip() or 0) > 0
        # no trust auth: without the password the cluster refuses; secrets are private files
        nopw = {k: v for k, v in os.environ.items() if k != "PGPASSWORD"}
        out = subprocess.run(
            [
                "psql",
                "-w",
                "-h",
                "127.0.0.1",
                "-p",
                str(ports["QUADRILLER_PG_PORT"]),
                "-U",
                "postgres",
                "-tA",
                "quadriller",
                "-c",
                "SELECT 1",
            ],
            capture_output=True,
            text=True,
            env=nopw,
        )
        assert out.returncode != 0 and "password" in out.stderr
        for secret in ("pg-password", "demo-token", "demo-token-volunteer"):
            assert (state / secret).stat().st_mode & 0o777 == 0o600, secret
    finally:
        stop_with_ctrl_c(proc, ports)

    proc, second_s = run_demo_until_ready(env, ports, tmp_path / "second.log")
    try:
        second = (tmp_path / "second.log").read_text()
        assert '"imported": []' in second
        assert second_s < first_s
    finally:
        stop_with_ctrl_c(proc, ports)
