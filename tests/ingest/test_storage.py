"""Partitions, retention, and PostgreSQL outages: no acknowledged ping is lost."""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import time

import h3
import orjson
import redis.asyncio as aioredis

from ingest.writer import run_maintenance
from server.redis import live_channel
from tests.ingest.conftest import ServerThread, connected, frames_for, make_settings, ping_frame, recv_until, stored


async def partitions(c) -> set[str]:
    rows = await c.fetch(
        "SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid "
        "WHERE i.inhparent = 'pings'::regclass"
    )
    return {r["relname"] for r in rows}


async def test_partitions_created_ahead(pool):
    now = dt.datetime.now(dt.UTC)
    await run_maintenance(pool, 30, now)
    async with pool.acquire() as c:
        names = await partitions(c)
    for days in (-30, 0, 1, 2):
        assert f"pings_p{(now + dt.timedelta(days=days)):%Y%m%d}" in names


async def test_retention_aggregates_then_drops_old_partitions(pool, campaign):
    now = dt.datetime.now(dt.UTC)
    old_day = (now - dt.timedelta(days=40)).date()
    edge_day = (now - dt.timedelta(days=30)).date()  # partly inside the window: kept
    lat, lon = 48.8566, 2.3522
    cell = h3.latlng_to_cell(lat, lon, 11)
    async with pool.acquire() as c:
        await c.execute("SELECT pings_ensure_partitions($1, $1)", old_day)
        t0 = dt.datetime.combine(old_day, dt.time(10), dt.UTC)
        for vid, seq in ((1001, 1), (1001, 2), (1002, 1)):
            await c.execute(
                "INSERT INTO pings (campaign_id, volunteer_id, source, seq, ts, received_at, geog, cell) "
                "VALUES ($1, $2, 'ws', $3, $4, $4, ST_SetSRID(ST_MakePoint($5, $6), 4326)::geography, $7)",
                campaign["id"],
                vid,
                seq,
                t0 + dt.timedelta(minutes=seq),
                lon,
                lat,
                h3.str_to_int(cell),
            )
        assert f"pings_p{old_day:%Y%m%d}" in await partitions(c)
    report = await run_maintenance(pool, 30, now)
    assert report["retired"] >= 1
    async with pool.acquire() as c:
        names = await partitions(c)
        agg = await c.fetch(
            "SELECT day, res, cell, pings, volunteers FROM ping_cell_days WHERE campaign_id = $1 ORDER BY res DESC",
            campaign["id"],
        )
    assert f"pings_p{old_day:%Y%m%d}" not in names
    assert f"pings_p{edge_day:%Y%m%d}" in names
    assert [(r["day"], r["res"], r["cell"], r["pings"], r["volunteers"]) for r in agg] == [
        (old_day, 11, h3.str_to_int(cell), 3, 2),
        (old_day, 9, h3.str_to_int(h3.cell_to_parent(cell, 9)), 3, 2),  # parent computed in SQL
    ]


async def test_retention_deletes_old_shifts(pool, campaign):
    """When someone worked is personal data too: shifts that ended before the window go."""
    from tests.conftest import add_user

    now = dt.datetime.now(dt.UTC)
    user = await add_user(pool, campaign["slug"], "volunteer", "Old hand")
    async with pool.acquire() as c:
        uid = await c.fetchval("SELECT id FROM users WHERE login = $1", user["login"])
        ids = {}
        for name, start, end in (("old", 41, 40), ("edge", 31, 29), ("open_old", 40, None)):
            ids[name] = await c.fetchval(
                "INSERT INTO shifts (campaign_id, user_id, started_at, ended_at, ended_by) "
                "VALUES ($1, $2, $3, $4, $5) RETURNING id",
                campaign["id"],
                uid,
                now - dt.timedelta(days=start),
                None if end is None else now - dt.timedelta(days=end),
                None if end is None else "volunteer",
            )
    report = await run_maintenance(pool, 30, now)
    assert report["shifts_deleted"] >= 1
    async with pool.acquire() as c:
        left = {r["id"] for r in await c.fetch("SELECT id FROM shifts WHERE user_id = $1", uid)}
    assert left == {ids["edge"], ids["open_old"]}


class TcpProxy:
    """A TCP forwarder we can stop (dropping every connection, refusing new ones) and restart:
    PostgreSQL as the ingest service sees it during an outage."""

    def __init__(self, target_port: int) -> None:
        self.target_port = target_port
        self.port = None
        self.server = None
        self.writers: set = set()

    async def start(self) -> None:
        self.server = await asyncio.start_server(self._handle, "127.0.0.1", self.port or 0)
        self.port = self.server.sockets[0].getsockname()[1]

    async def stop(self) -> None:
        self.server.close()
        for w in list(self.writers):
            w.transport.abort()
        self.writers.clear()
        await self.server.wait_closed()

    async def _handle(self, reader, writer) -> None:
        try:
            up_r, up_w = await asyncio.open_connection("127.0.0.1", self.target_port)
        except OSError:
            writer.transport.abort()
            return
        self.writers |= {writer, up_w}

        async def pipe(r, w):
            with contextlib.suppress(Exception):
                while data := await r.read(65536):
                    w.write(data)
                    await w.drain()
            w.transport.abort()

        await asyncio.gather(pipe(reader, up_w), pipe(up_r, writer))


async def test_postgres_outage_live_but_no_ack_then_acked(settings, pool, volunteer, campaign, redis_url):
    db_port = int(settings.database_url.split("@", 1)[1].split("/", 1)[0].rsplit(":", 1)[1])
    proxy = TcpProxy(db_port)
    await proxy.start()
    url = settings.database_url.replace(f":{db_port}/", f":{proxy.port}/")
    server = await asyncio.to_thread(ServerThread(make_settings(settings, database_url=url)).start)
    redis = aioredis.from_url(redis_url)
    pubsub = redis.pubsub()
    try:
        await pubsub.subscribe(live_channel(campaign["id"]))
        await pubsub.get_message(timeout=1)
        async with connected(server.ws_url, volunteer["token"]) as (ws, _):
            await ws.send(ping_frame(1))
            assert (await recv_until(ws, "ack"))["seqs"] == [1]

            await proxy.stop()  # PostgreSQL unreachable from the service
            t = time.time()
            await ws.send(ping_frame(2, t=t))
            await ws.send(ping_frame(3, t=t + 1))
            live = []
            deadline = time.monotonic() + 5
            while len(live) < 2 and time.monotonic() < deadline:
                msg = await pubsub.get_message(ignore_subscribe_messages=True, timeout=0.2)
                if msg and orjson.loads(msg["data"])["seq"] in (2, 3):
                    live.append(orjson.loads(msg["data"])["seq"])
            assert live == [2, 3]  # HQ sees them at once
            frames = await frames_for(ws, 2.0)
            assert not [f for f in frames if f["type"] == "ack"]  # but nothing is acknowledged
            assert {r["seq"] for r in await stored(pool, volunteer["id"])} == {1}

            await proxy.start()  # back: the held batch is written, then acked
            acked: set[int] = set()
            while acked != {2, 3}:
                acked.update((await recv_until(ws, "ack", timeout=15))["seqs"])
        assert {r["seq"] for r in await stored(pool, volunteer["id"])} == {1, 2, 3}
    finally:
        await pubsub.aclose()
        await redis.aclose()
        await asyncio.to_thread(server.stop)
        with contextlib.suppress(Exception):
            await proxy.stop()


async def test_redis_outage_does_not_stop_storage(settings, pool, volunteer):
    # A Redis nobody listens on: live updates fail (logged), pings are still stored and acked.
    dead = settings.redis_url.rsplit(":", 1)[0] + ":1/15"
    server = await asyncio.to_thread(ServerThread(make_settings(settings, redis_url=dead)).start)
    try:
        async with connected(server.ws_url, volunteer["token"]) as (ws, _):
            for seq in range(3):
                await ws.send(ping_frame(seq))
                assert (await recv_until(ws, "ack"))["seqs"] == [seq]
        assert len(await stored(pool, volunteer["id"])) == 3
    finally:
        await asyncio.to_thread(server.stop)
