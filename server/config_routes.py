from __future__ import annotations

from fastapi import APIRouter

from server.deps import AppSettings
from server.public_urls import ingest_http_url, ingest_ws_url

router = APIRouter(prefix="/api", tags=["config"])


@router.get("/config", summary="Front-end settings (no secrets)")
async def config(settings: AppSettings) -> dict:
    return {
        "basemap_url": settings.basemap_url,
        "ingest_ws_url": ingest_ws_url(settings),
        "ingest_http_url": ingest_http_url(settings),
        "retention_days": settings.retention_days,
        "shift_max_hours": settings.shift_max_hours,
    }
