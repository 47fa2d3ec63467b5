from __future__ import annotations

from fastapi import APIRouter

from server.deps import AppSettings

router = APIRouter(prefix="/api", tags=["config"])


@router.get("/config", summary="Front-end settings (no secrets)")
async def config(settings: AppSettings) -> dict:
    return {"basemap_url": settings.basemap_url}
