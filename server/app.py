"""create_app(settings): the HQ API and the web front end."""
from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from typing import TypedDict

import asyncpg
import redis.asyncio as aioredis
from fastapi import FastAPI
from fastapi.responses import FileResponse
from fastapi.staticfiles import StaticFiles

from server.areas.index_cache import AreaIndexCache
from server.db import create_pool
from server.errors import NotFound, install_error_handlers
from server.live.hub import LiveHub
from server.redis import create_redis
from server.retention import job as retention_job
from server.settings import Settings


class State(TypedDict):
    settings: Settings
    pool: asyncpg.Pool
    redis: aioredis.Redis
    area_indexes: AreaIndexCache
    live_hub: LiveHub


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or Settings()

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[State]:
        pool = await create_pool(settings.database_url, settings.db_pool_min, settings.db_pool_max)
        redis = create_redis(settings.redis_url)
        hub = LiveHub(redis, settings.live_frames_per_second, settings.live_stale_after_s)
        await hub.start()
        retention = asyncio.create_task(retention_job.every(pool, redis, settings), name="retention")
        try:
            yield State(settings=settings, pool=pool, redis=redis, area_indexes=AreaIndexCache(pool),
                        live_hub=hub)
        finally:
            retention.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await retention
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

    from server.addresses.routes import router as addresses_router
    from server.areas.routes import router as areas_router
    from server.auth.routes import router as auth_router
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

    _mount_web(app, settings)
    return app


def _mount_web(app: FastAPI, settings: Settings) -> None:
    dist = settings.web_dist
    index = dist / "index.html"
    if not index.exists():
        return
    if (dist / "assets").is_dir():
        app.mount("/assets", StaticFiles(directory=dist / "assets"), name="assets")

    @app.get("/", include_in_schema=False)
    async def hq_page() -> FileResponse:
        return FileResponse(index)

    phone = dist / "volunteer.html"
    rights = dist / "rights.html"

    @app.get("/rights", include_in_schema=False)
    async def rights_page() -> FileResponse:
        """HQ's people and rights page: invites, contacts, consents, topics, audit (web/rights.html)."""
        if not rights.exists():
            raise NotFound("the rights page is not built (cd web && npm run build)")
        return FileResponse(rights)

    @app.get("/volunteer", include_in_schema=False)
    async def volunteer_page() -> FileResponse:
        """The volunteer's phone page: shifts and location sharing (web/volunteer.html)."""
        if not phone.exists():
            raise NotFound("the volunteer page is not built (cd web && npm run build)")
        return FileResponse(phone)
