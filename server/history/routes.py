"""GET /api/campaigns/{slug}/hexes and /replay: HQ roles only (admin, coordinator).

Every parameter has a default (the window defaults to the start of the UTC day → now), so the
routes answer with no query string at all.
"""

from __future__ import annotations

import asyncio
import gzip
import time
from typing import Annotated

import orjson
from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from server.audit import queries as audit
from server.deps import AppSettings, Conn, HQMember, Redis
from server.timewindow import Since, Until, window
from server.history import queries
from server.history.schemas import MAX_REPLAY_S, MAX_RES, MIN_RES, Hexes, Replay, Source

router = APIRouter(prefix="/api/campaigns/{slug}", tags=["history"])

GZIP_MIN_BYTES = 16_384


async def json_response(request: Request, body: dict) -> Response:
    """orjson, gzipped when the client accepts it and the body is large (a day's replay)."""
    data = orjson.dumps(body)
    headers = {"Vary": "Accept-Encoding"}
    if len(data) >= GZIP_MIN_BYTES and "gzip" in request.headers.get("accept-encoding", ""):
        data = await asyncio.to_thread(gzip.compress, data, 5)
        headers["Content-Encoding"] = "gzip"
    return Response(data, media_type="application/json", headers=headers)


@router.get("/hexes", response_model=Hexes, summary="Coverage: H3 hexes with pings and volunteers")
async def hexes(
    member: HQMember,
    conn: Conn,
    redis: Redis,
    settings: AppSettings,
    request: Request,
    source: Annotated[
        Source, Query(description="history: PostGIS pings in the window; live: volunteers live now (Redis state)")
    ] = Source.history,
    since: Since = None,
    until: Until = None,
    res: Annotated[int, Query(ge=MIN_RES, le=MAX_RES, description="H3 resolution")] = 9,
) -> Response:
    if source is Source.live:
        await audit.record(conn, member, "hexes", {"source": source.value, "since": None, "until": None, "res": res})
        cells = await queries.live_hexes(
            redis, member.campaign_id, res, time.time() * 1000, settings.live_stale_after_s, settings.redis_prefix
        )
        return await json_response(request, {"res": res, "source": source.value, "hexes": cells})
    lo, hi = window(since, until)
    await audit.record(conn, member, "hexes", {"source": source.value, "since": lo, "until": hi, "res": res})
    cells, approximate = await queries.history_hexes(conn, member.campaign_id, lo, hi, res)
    return await json_response(
        request,
        {
            "res": res,
            "source": source.value,
            "since": lo.isoformat(),
            "until": hi.isoformat(),
            "approximate": approximate,
            "hexes": cells,
        },
    )


@router.get(
    "/replay",
    response_model=Replay,
    summary="Every volunteer's recorded positions in a window (at most 24 h), downsampled",
)
async def replay(
    member: HQMember,
    conn: Conn,
    request: Request,
    since: Since = None,
    until: Until = None,
    step_s: Annotated[
        float, Query(ge=1, le=3600, description="at most one point per volunteer per step_s seconds")
    ] = 10.0,
) -> Response:
    lo, hi = window(since, until, MAX_REPLAY_S)
    await audit.record(conn, member, "replay", {"since": lo, "until": hi, "step_s": step_s})
    return await json_response(request, await queries.replay(conn, member.campaign_id, lo, hi, step_s))
