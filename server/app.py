"""create_app(settings): the HQ API and the web front end."""
from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from typing import TypedDict

import asyncpg
import uvicorn
import redis.asyncio as aioredis
from fastapi import FastAPI

from server.accesslog import log_config
from server.areas.index_cache import AreaIndexCache
from server.db import create_pool, install_database_error_handler
from server.errors import install_error_handlers
from server.live.hub import LiveHub
from server.redis import create_redis
from server.security_headers import SecurityHeaders
from server.settings import Settings
from server.throttle import PerKeyCap
from server.web.compression import CompressionMiddleware
from server.web.static import mount_web


class State(TypedDict):
    settings: Settings
    pool: asyncpg.Pool
    redis: aioredis.Redis
    area_indexes: AreaIndexCache
    live_hub: LiveHub
    unauthenticated: PerKeyCap  # websockets not yet authenticated, per client address


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or Settings()

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[State]:
        pool = await create_pool(settings.database_url, settings.db_pool_min, settings.db_pool_max)
        redis = create_redis(settings.redis_url)
        hub = LiveHub(redis, settings.live_frames_per_second, settings.live_stale_after_s, settings.redis_prefix)
        await hub.start()
        try:
            yield State(settings=settings, pool=pool, redis=redis, area_indexes=AreaIndexCache(pool),
                        live_hub=hub, unauthenticated=PerKeyCap(settings.unauthenticated_sockets_per_ip))
        finally:
            await hub.stop()
            await redis.aclose()
            await pool.close()

    app = FastAPI(
        title="Quadriller",
        version="0.1.0",
        description="Real-time field-operations map for campaigns. Errors are problem details (RFC 9457).",
        lifespan=lifespan,
    )
    install_error_handlers(app)
    install_database_error_handler(app)
    app.add_middleware(SecurityHeaders, settings=settings)
    # API answers compressed (brotli or gzip); the static files come precompressed from the build.
    app.add_middleware(CompressionMiddleware)

    from server.addresses.routes import router as addresses_router
    from server.areas.routes import router as areas_router
    from server.auth.routes import router as auth_router
    from server.config_routes import router as config_router
    from server.history.routes import router as history_router
    from server.live.routes import router as live_router
    from server.dispatch.routes import router as dispatch_router
    from server.priorities.routes import router as priorities_router
    from server.reports.routes import router as reports_router
    from server.shifts.routes import router as shifts_router

    app.include_router(auth_router)
    app.include_router(config_router)
    app.include_router(areas_router)
    app.include_router(live_router)
    app.include_router(history_router)
    app.include_router(shifts_router)
    app.include_router(priorities_router)
    app.include_router(dispatch_router)
    app.include_router(reports_router)
    app.include_router(addresses_router)

    @app.get("/healthz", include_in_schema=False)
    async def healthz() -> dict:
        return {"ok": True}

    mount_web(app, settings)
    return app


# The largest websocket message the HQ server reads (/ws/live gets an auth frame and acks, far
# below this). uvicorn's default is 16 MiB, read (and inflated, with permessage-deflate: a few KB
# on the wire) before the route's own 4 KiB auth check could refuse it.
HQ_WS_MAX_BYTES = 16_384


def uvicorn_config(settings: Settings, **kw) -> uvicorn.Config:
    """The HQ server as `quadriller serve` runs it: sans-I/O websockets with a small frame limit
    enforced by the websocket layer itself (close 1009, before any auth), no compression, and
    log lines without query strings (server/accesslog.py)."""
    kw.setdefault("log_config", log_config())
    kw.setdefault("log_level", "info")
    return uvicorn.Config(create_app(settings), host=settings.host, port=settings.port,
                          ws="websockets-sansio", ws_max_size=HQ_WS_MAX_BYTES,
                          ws_per_message_deflate=False, **kw)
