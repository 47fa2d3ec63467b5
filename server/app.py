"""create_app(settings): the HQ API and the web front end."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from typing import TypedDict

import asyncpg
import uvicorn
import redis.asyncio as aioredis
from fastapi import FastAPI

from server.accesslog import log_config
from server.alerts import evaluator as alert_evaluator
from server.areas.answers import AreaAnswerCache
from server.areas.index_cache import AreaIndexCache
from server.db import create_pool, install_database_error_handler
from server.errors import install_error_handlers
from server.live.hub import LiveHub
from server.redis import create_redis
from server.security_headers import SecurityHeaders
from server.retention import job as retention_job
from server.settings import Settings
from server.throttle import PerKeyCap
from server.web.compression import CompressionMiddleware
from server.web.static import mount_web


class State(TypedDict):
    settings: Settings
    pool: asyncpg.Pool
    redis: aioredis.Redis
    area_indexes: AreaIndexCache
    area_answers: AreaAnswerCache  # the map's /areas answers, kept per version
    live_hub: LiveHub
    unauthenticated: PerKeyCap  # websockets not yet authenticated, per client address


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or Settings()

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[State]:
        pool = await create_pool(settings.database_url, settings.db_pool_min, settings.db_pool_max)
        redis = create_redis(settings.redis_url)
        hub = LiveHub(
            redis,
            settings.live_frames_per_second,
            settings.live_stale_after_s,
            settings.redis_prefix,
            settings.live_aggregate_every_s,
        )
        await hub.start()
        # Background jobs of the HQ server: field alerts, and the one retention job (server/retention).
        jobs = [
            asyncio.create_task(
                alert_evaluator.run(
                    pool, redis, settings.alerts_every_s, settings.shift_max_hours, settings.redis_prefix
                ),
                name="alerts",
            ),
            asyncio.create_task(retention_job.every(pool, redis, settings), name="retention"),
        ]
        try:
            yield State(
                settings=settings,
                pool=pool,
                redis=redis,
                area_indexes=AreaIndexCache(pool),
                area_answers=AreaAnswerCache(),
                live_hub=hub,
                unauthenticated=PerKeyCap(settings.unauthenticated_sockets_per_ip),
            )
        finally:
            for job in jobs:
                job.cancel()
            await asyncio.gather(*jobs, return_exceptions=True)
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
    from server.turfs.routes import router as turfs_router
    from server.alerts.routes import router as alerts_router
    from server.areas.routes import router as areas_router
    from server.auth.routes import router as auth_router
    from server.sessions.routes import router as sessions_router
    from server.config_routes import router as config_router
    from server.history.routes import router as history_router
    from server.live.routes import router as live_router
    from server.dispatch.routes import router as dispatch_router
    from server.audit.routes import router as audit_router
    from server.consent.routes import router as consent_router
    from server.invites.routes import router as invites_router
    from server.privacy.routes import router as privacy_router
    from server.contacts.routes import router as contacts_router
    from server.doors.routes import router as doors_router
    from server.tags.routes import router as tags_router
    from server.priorities.routes import router as priorities_router
    from server.reports.routes import router as reports_router
    from server.shifts.routes import router as shifts_router
    from server.targeting.routes import router as targeting_router

    app.include_router(auth_router)
    app.include_router(sessions_router)
    app.include_router(config_router)
    app.include_router(areas_router)
    app.include_router(live_router)
    app.include_router(history_router)
    app.include_router(shifts_router)
    app.include_router(priorities_router)
    app.include_router(dispatch_router)
    app.include_router(reports_router)
    app.include_router(addresses_router)
    app.include_router(targeting_router)
    app.include_router(turfs_router)
    app.include_router(alerts_router)
    app.include_router(tags_router)
    app.include_router(doors_router)
    app.include_router(contacts_router)
    app.include_router(consent_router)
    app.include_router(privacy_router)
    app.include_router(audit_router)
    app.include_router(invites_router)

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
    return uvicorn.Config(
        create_app(settings),
        host=settings.host,
        port=settings.port,
        ws="websockets-sansio",
        ws_max_size=HQ_WS_MAX_BYTES,
        ws_per_message_deflate=False,
        **kw,
    )
