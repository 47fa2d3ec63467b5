"""No acknowledged ping is ever lost: a kill -9 of the ingest process, a Redis restart and a
PostgreSQL restart, each in the middle of a load. The clients then compare what they saw
acknowledged with the rows in PostGIS: every acked ping must be there exactly once.

These tests restart servers, so they run their own private PostgreSQL cluster and Redis on free
ports, never the servers the rest of the suite shares.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import asyncpg
import pytest

from simulate.client import VolunteerClient
from server.settings import PROJECT_ROOT
from tests.servers import free_port, wait_port

PG_BIN = Path("/usr/lib/postgresql/15/bin")
VOLUNTEERS = 12
PINGS_PER_S = 10  # per volunteer


def as_postgres(cmd: list[str]) -> None:
    # PostgreSQL refuses to run as root
    if os.geteuid() == 0:
        cmd = ["su", "postgres", "-s", "/bin/sh", "-c", " ".join(f"'{c}'" for c in cmd)]
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)


class PrivateStack:
    """A PostgreSQL cluster, a Redis server and an ingest process, all restartable."""

    def __init__(self) -> None:
        self.root = Path(f"/var/tmp/quadriller-durability-{uuid.uuid4().hex[:8]}")
        self.pg_dir = self.root / "pg"
        self.pg_port, self.redis_port, self.ingest_port = free_port(), free_port(), free_port()
        self.redis: subprocess.Popen | None = None
        self.ingest: subprocess.Popen | None = None
        self.database_url = f"postgresql://postgres@127.0.0.1:{self.pg_port}/quadriller"
        self.redis_url = f"redis://127.0.0.1:{self.redis_port}/0"
        self.env = {
            **os.environ,
            "QUADRILLER_DATABASE_URL": self.database_url,
            "QUADRILLER_REDIS_URL": self.redis_url,
            "QUADRILLER_INGEST_BATCH_WAIT_MS": "5",
        }

    @property
    def ws_url(self) -> str:
        return f"ws://127.0.0.1:{self.ingest_port}/ws/pings"

    def start_pg(self) -> None:
        as_postgres(
            [
                str(PG_BIN / "pg_ctl"),
                "-D",
                str(self.pg_dir),
                "-w",
                "-t",
                "60",
                "-l",
                str(self.pg_dir / "log"),
                "-o",
                f"-p {self.pg_port} -k {self.pg_dir} -c listen_addresses=127.0.0.1",
                "start",
            ]
        )

    def stop_pg(self, mode: str = "fast") -> None:
        as_postgres([str(PG_BIN / "pg_ctl"), "-D", str(self.pg_dir), "-m", mode, "-w", "stop"])

    def start_redis(self) -> None:
        self.redis = subprocess.Popen(
            [
                "redis-server",
                "--bind",
                "127.0.0.1",
                "--port",
                str(self.redis_port),
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                str(self.root),
            ],
            stdout=subprocess.DEVNULL,
        )
        wait_port(self.redis_port)

    def stop_redis(self) -> None:
        self.redis.terminate()
        self.redis.wait(10)

    def start_ingest(self) -> None:
        self.ingest = subprocess.Popen(
            [sys.executable, "-m", "server.cli", "ingest", "--port", str(self.ingest_port)],
            env=self.env,
            cwd=PROJECT_ROOT,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        wait_port(self.ingest_port, timeout=60)

    def kill_ingest(self) -> None:
        self.ingest.send_signal(signal.SIGKILL)
        self.ingest.wait(10)

    def setup(self) -> None:
        self.pg_dir.mkdir(parents=True)
        if os.geteuid() == 0:
            shutil.chown(self.root, "postgres")
            shutil.chown(self.pg_dir, "postgres")
        as_postgres([str(PG_BIN / "initdb"), "-D", str(self.pg_dir), "-U", "postgres", "--auth=trust", "-E", "UTF8"])
        self.start_pg()
        subprocess.run(
            ["createdb", "-h", "127.0.0.1", "-p", str(self.pg_port), "-U", "postgres", "quadriller"], check=True
        )
        subprocess.run(
            [sys.executable, "-m", "server.cli", "db", "upgrade"],
            env=self.env,
            cwd=PROJECT_ROOT,
            check=True,
            stdout=subprocess.DEVNULL,
        )
        self.start_redis()
        self.start_ingest()

    def teardown(self) -> None:
        for proc in (self.ingest, self.redis):
            if proc is not None and proc.poll() is None:
                proc.kill()
                proc.wait(10)
        try:
            self.stop_pg("immediate")
        except subprocess.CalledProcessError:
            pass
        shutil.rmtree(self.root, ignore_errors=True)


@pytest.fixture(scope="module")
def stack():
    if not (PG_BIN / "initdb").exists() or not shutil.which("redis-server") or not shutil.which("createdb"):
        pytest.skip("needs local PostgreSQL 15 and Redis binaries (scripts/test.sh installs them)")
    s = PrivateStack()
    try:
        s.setup()
        yield s
    finally:
        s.teardown()


async def volunteers(stack: PrivateStack, n: int) -> list[str]:
    """n volunteers who agreed to location sharing (their clients start shifts); their tokens."""
    from server.auth.queries import add_user
    from server.campaigns.queries import create_campaign
    from server.consent.queries import agree_many
    from server.consent.texts import current_version

    conn = await asyncpg.connect(stack.database_url)
    slug = "d-" + uuid.uuid4().hex[:8]
    campaign = await create_campaign(conn, slug, "durability")
    users = [await add_user(conn, slug, "volunteer", f"v{i}") for i in range(n)]
    ids = await conn.fetch("SELECT id FROM users WHERE login = ANY($1::text[])", [u.login for u in users])
    await agree_many(conn, campaign["id"], [r["id"] for r in ids], current_version("location"))
    await conn.close()
    return [u.token for u in users]


async def load_through(stack: PrivateStack, disruption, seconds_before: float = 1.5, seconds_after: float = 2.5):
    """Run the load, cause `disruption` in the middle, then drain every outbox."""
    tokens = await volunteers(stack, VOLUNTEERS)
    clients = [VolunteerClient(stack.ws_url, t, backoff_initial_s=0.05, backoff_max_s=0.5) for t in tokens]
    for c in clients:
        await c.start(wait_ready=True, timeout=20)
    ids = {c.volunteer_id for c in clients}

    disrupted = asyncio.Event()

    async def produce(seconds: float) -> None:
        end = time.monotonic() + seconds
        while time.monotonic() < end and not (disrupted.is_set() and seconds > 5):
            for i, c in enumerate(clients):
                c.add(lat=48.85 + i * 1e-3, lon=2.35 + (time.monotonic() % 10) * 1e-4, acc=8.0)
            await asyncio.sleep(1 / PINGS_PER_S)

    async def disrupt() -> None:
        await asyncio.sleep(seconds_before)
        await asyncio.to_thread(disruption)
        disrupted.set()

    # pings keep coming while the disruption happens, as they would from phones in the street
    started = time.monotonic()
    await asyncio.gather(produce(seconds_before + 10), disrupt())
    await produce(max(0.0, seconds_before + seconds_after - (time.monotonic() - started)))
    drained = await asyncio.gather(*(c.flush(timeout=60) for c in clients))
    for c in clients:
        await c.close()
    assert all(drained), [c.counters for c in clients]

    conn = await asyncpg.connect(stack.database_url)
    rows = await conn.fetch(
        "SELECT volunteer_id, seq, count(*) AS n FROM pings WHERE volunteer_id = ANY($1::bigint[]) "
        "GROUP BY volunteer_id, seq",
        list(ids),
    )
    await conn.close()
    stored = {(r["volunteer_id"], r["seq"]): r["n"] for r in rows}
    acked = {(c.volunteer_id, s) for c in clients for s in c.acked_seqs}
    sent = sum(c.stats.acked for c in clients)
    lost = acked - stored.keys()
    duplicated = [k for k, n in stored.items() if n > 1]
    assert sent >= VOLUNTEERS * PINGS_PER_S * 3  # the load really ran
    assert not lost, f"{len(lost)} acknowledged pings are not in PostGIS"
    assert not duplicated, f"{len(duplicated)} pings stored more than once"
    assert len(acked) == len(stored)  # everything the clients queued ended acked and stored
    return clients


async def test_kill_9_of_ingest_loses_no_acked_ping(stack):
    def kill_and_restart():
        stack.kill_ingest()
        time.sleep(0.3)
        stack.start_ingest()

    clients = await load_through(stack, kill_and_restart)
    assert sum(c.stats.connects for c in clients) >= 2 * VOLUNTEERS  # everyone reconnected


async def test_kill_9_while_postgres_is_down_loses_no_acked_ping(stack):
    """The sharpest case: pings arrive while PostgreSQL is down, so the service holds them
    uncommitted; then it is killed. Had it acknowledged anything before the commit, those
    pings would be gone."""

    def outage_then_kill():
        stack.stop_pg("immediate")
        time.sleep(1.5)
        stack.kill_ingest()
        stack.start_pg()
        stack.start_ingest()

    await load_through(stack, outage_then_kill)


async def test_redis_restart_loses_no_acked_ping(stack):
    def restart_redis():
        stack.stop_redis()
        time.sleep(1.0)
        stack.start_redis()

    await load_through(stack, restart_redis)


async def test_postgres_restart_under_load_loses_no_acked_ping(stack):
    def restart_postgres():
        # immediate: no checkpoint, crash recovery on start; only the WAL keeps what was committed
        stack.stop_pg("immediate")
        time.sleep(1.5)
        stack.start_pg()

    await load_through(stack, restart_postgres)
