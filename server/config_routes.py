from __future__ import annotations

from fastapi import APIRouter, Request

from server.deps import AppSettings

router = APIRouter(prefix="/api", tags=["config"])


def ingest_ws_url(request: Request, settings) -> str:
    """Where the volunteer page sends pings: the configured public URL, else the ingest port on
    the host the page itself came from (a phone on the LAN reaches the demo that way)."""
    if settings.ingest_public_url:
        return settings.ingest_public_url
    scheme = "wss" if request.url.scheme == "https" else "ws"
    host = request.url.hostname or settings.ingest_host
    if ":" in host:  # IPv6 literal
        host = f"[{host}]"
    return f"{scheme}://{host}:{settings.ingest_port}/ws/pings"


@router.get("/config", summary="Front-end settings (no secrets)")
async def config(settings: AppSettings, request: Request) -> dict:
    return {"basemap_url": settings.basemap_url, "ingest_ws_url": ingest_ws_url(request, settings),
            "retention_days": settings.retention_days, "shift_max_hours": settings.shift_max_hours}
