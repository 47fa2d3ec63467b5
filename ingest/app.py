"""create_ingest_app(settings): the ingest service, a process of its own.

The lifespan opens the asyncpg pool and Redis, the area indexes, the batch writer and the
partition maintenance, and yields them as typed state. Nothing here keeps state that another
ingest process would need: N of them can run behind a load balancer.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import logging
from collections.abc import AsyncIterator
from typing import TypedDict

import asyncpg
import redis.asyncio as aioredis
import uvicorn
from fastapi import FastAPI, Request

from ingest.auth import DeviceAuth
from ingest.duty import Duty
from ingest.live import LivePublisher
from ingest.lookup import AreaLookup
from ingest.pipeline import Pipeline
from ingest.relay import PhoneRelay
from ingest.writer import BatchWriter, maintain_partitions
from ingest.ws_protocol import PingsProtocol
from server.accesslog import log_config
from server.areas.index_cache import AreaIndexCache
from server.db import create_pool, install_database_error_handler
from server.errors import ServiceUnavailable, install_error_handlers
from server.settings import Settings
from server.throttle import PerKeyCap

log = logging.getLogger("ingest")
REDIS_CLIENT_NAME = "quadriller-ingest"


class State(TypedDict):
    settings: Settings
    pool: asyncpg.Pool
    redis: aioredis.Redis
    auth: DeviceAuth
    pipeline: Pipeline
    writer: BatchWriter
    relay: PhoneRelay
    unauthenticated: PerKeyCap


async def _open_pool(settings: Settings, attempts: int = 30) -> asyncpg.Pool:
    """Retry at start: after a host reboot PostgreSQL may come up a little after us."""
    for i in range(attempts):
        try:
            return await create_pool(settings.database_url, settings.db_pool_min, settings.db_pool_max, stateless=True)
        except ServiceUnavailable as exc:
            if i == attempts - 1:
                raise
            log.warning("%s; retrying", exc.detail)
            await asyncio.sleep(min(0.5 * (i + 1), 3.0))
    raise AssertionError("unreachable")


def create_redis_client(
    url: str, max_connections: int = 50, pool_timeout_s: float = 1.0, prefix: str = "q"
) -> aioredis.Redis:
    """A blocking pool of `max_connections` (QUADRILLER_REDIS_MAX_CONNECTIONS): past it a command
    waits up to `pool_timeout_s` for a free connection; redis-py's default pool raised
    "Too many connections" at once, which skipped live state reloads under load (issue 13)."""
    # Short timeouts: a hung Redis must cost a batch one second at most, never stall acks.
    pool = aioredis.BlockingConnectionPool.from_url(
        url,
        max_connections=max_connections,
        timeout=pool_timeout_s,
        decode_responses=False,
        socket_timeout=1.0,
        socket_connect_timeout=1.0,
        health_check_interval=30,
        client_name=f"{REDIS_CLIENT_NAME}-{prefix}",  # CLIENT LIST tells ingest's connections apart
    )
    return aioredis.Redis.from_pool(pool)  # owns the pool: closing the client closes it


def create_ingest_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or Settings()

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[State]:
        # The hot path allocates a few short-lived containers per ping; with CPython's default
        # thresholds the cyclic GC then runs hundreds of times a second and its full passes
        # walk every long-lived object. Collect young objects rarely instead (nothing here
        # builds cycles per ping) and keep the objects of the start-up out of the walks.
        gc.collect()
        gc.freeze()
        gc.set_threshold(50_000, 20, 100)
        pool = await _open_pool(settings)
        redis = create_redis_client(
            settings.redis_url, settings.redis_max_connections, settings.redis_pool_timeout_s, settings.redis_prefix
        )
        writer = BatchWriter(
            pool,
            settings.ingest_batch_max,
            settings.ingest_batch_wait_ms / 1000.0,
            settings.ingest_queue_max,
            settings.retention_days,
            settings.ingest_write_concurrency,
        )
        areas = AreaLookup(AreaIndexCache(pool), pool)
        live = LivePublisher(redis, settings.redis_prefix, settings.live_state_ttl_s)
        duty = Duty(pool, redis, settings.shift_max_hours, settings.redis_prefix)
        pipeline = Pipeline(
            pool,
            areas,
            writer,
            live,
            duty,
            settings.ingest_rate_per_device,
            settings.ingest_rate_burst,
            tick_s=settings.ingest_tick_ms / 1000.0,
            gap_s=settings.ingest_gather_gap_ms / 1000.0,
            app_tick_s=settings.ingest_app_tick_ms / 1000.0,
            refresh_s=settings.ingest_refresh_s,
        )
        # Logins on a pool of their own: a flood of bad credentials never takes the connections
        # that commit pings (issue 12, item 7).
        auth_pool = await create_pool(settings.database_url, 1, settings.ingest_auth_pool_max, stateless=True)
        auth = DeviceAuth(
            auth_pool,
            device_max_age_days=settings.device_token_max_age_days,
            failures_per_min=settings.login_failures_per_min,
            failures_burst=settings.login_failures_burst,
        )
        relay = PhoneRelay(redis, pipeline.apply_assignment, pipeline.end_shift, auth.forget, settings.redis_prefix)
        tasks = [
            asyncio.create_task(writer.run(), name="ingest-writer"),
            asyncio.create_task(maintain_partitions(pool, settings.retention_days), name="ingest-partitions"),
            asyncio.create_task(pipeline.run(), name="ingest-pipeline"),
            asyncio.create_task(relay.run(), name="ingest-relay"),
            asyncio.create_task(duty.time_out_forever(settings.shift_timeout_sweep_s), name="ingest-timeouts"),
            asyncio.create_task(auth.refresh_forever(), name="ingest-logins"),
        ]
        try:
            yield State(
                settings=settings,
                pool=pool,
                redis=redis,
                auth=auth,
                pipeline=pipeline,
                writer=writer,
                relay=relay,
                unauthenticated=PerKeyCap(settings.unauthenticated_sockets_per_ip),
            )
        finally:
            tasks[3].cancel()
            tasks[4].cancel()
            tasks[5].cancel()
            tasks[1].cancel()
            tasks[2].cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await tasks[2]
            with contextlib.suppress(Exception):
                await asyncio.wait_for(pipeline.drain(), 2.0)
            # Give queued pings a last chance; whatever stays unwritten was never acked.
            tasks[0].cancel()  # in-flight batches go on: flush() waits for them
            with contextlib.suppress(asyncio.CancelledError):
                await tasks[0]
            if not await writer.flush(5.0):
                log.warning("shutting down with %d pings unwritten (never acked: clients resend)", writer.held)
            with contextlib.suppress(Exception):
                await redis.aclose()
            with contextlib.suppress(Exception):
                await asyncio.wait_for(pool.close(), 5.0)
            with contextlib.suppress(Exception):
                await asyncio.wait_for(auth_pool.close(), 5.0)

    app = FastAPI(
        title="Quadriller ingest",
        version="0.1.0",
        description="Location pings in (websocket protocol 1, OwnTracks, Traccar Client). See docs/protocol.md.",
        lifespan=lifespan,
    )
    install_error_handlers(app)
    install_database_error_handler(app)

    from ingest.owntracks import router as owntracks_router
    from ingest.traccar import router as traccar_router

    # /ws/pings is served by the websocket protocol itself (ingest/ws_protocol.py), not a route.
    app.include_router(owntracks_router)
    app.include_router(traccar_router)

    @app.get("/healthz", include_in_schema=False)
    async def healthz(request: Request) -> dict:
        writer: BatchWriter = request.state.writer
        return {
            "ok": writer.db_ok,
            "db_ok": writer.db_ok,
            "redis_ok": request.state.pipeline.live.ok,
            "held": writer.held,
            "written": writer.written,
        }

    return app


def uvicorn_config(settings: Settings, host: str | None = None, port: int | None = None, **kw) -> uvicorn.Config:
    """The uvicorn configuration the service needs: sans-I/O websockets without compression
    (settings.ingest_ws_deflate), and the frame limit
    enforced by the websocket layer itself (close 1009 before the frame is even buffered), and
    log lines without query strings (server/accesslog.py: OsmAnd puts the token and position there)."""
    kw.setdefault("log_config", log_config())
    # One access line per ping request cost about a fifth of the apps' CPU per request (issue 13,
    # profile in docs/benchmarks.md): off unless QUADRILLER_INGEST_ACCESS_LOG asks for it.
    kw.setdefault("access_log", settings.ingest_access_log)
    from ingest.app_routes import AppRoutes  # the app routes as plain ASGI, ahead of FastAPI

    return uvicorn.Config(
        AppRoutes(create_ingest_app(settings)),
        host=host or settings.ingest_host,
        port=port or settings.ingest_port,
        ws=PingsProtocol,  # uvicorn's sans-I/O websockets, with /ws/pings handled without ASGI
        ws_max_size=settings.ingest_max_frame_bytes,
        ws_per_message_deflate=settings.ingest_ws_deflate,
        lifespan="on",
        **kw,
    )


def serve(settings: Settings, host: str | None = None, port: int | None = None) -> None:
    uvicorn.Server(uvicorn_config(settings, host, port, log_level="info")).run()
