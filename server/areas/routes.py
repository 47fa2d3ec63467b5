from __future__ import annotations

from typing import Annotated

import orjson
from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from server.limits import Code, Label
from server.areas import queries
from server.areas.schemas import Level, Located
from server.deps import AnyMember, Conn
from server.errors import NotFound

router = APIRouter(prefix="/api/campaigns/{slug}", tags=["areas"])
GEOJSON = "application/geo+json"


@router.get(
    "/areas",
    summary="One level's areas as GeoJSON, with result figures as properties",
    response_class=Response,
    responses={200: {"content": {GEOJSON: {}}}},
)
async def areas_of_level(
    member: AnyMember,
    conn: Conn,
    level: Level,
    election: Annotated[Label | None, Query(description="default: the latest imported")] = None,
) -> Response:
    body = await queries.level_geojson(conn, member.campaign_id, level.value, election=election)
    return Response(body, media_type=GEOJSON)


@router.get(
    "/areas/{level}/{code}",
    summary="One area by code, as a GeoJSON Feature",
    response_class=Response,
    responses={200: {"content": {GEOJSON: {}}}},
)
async def area_by_code(member: AnyMember, conn: Conn, level: Level, code: Code) -> Response:
    body = await queries.level_geojson(conn, member.campaign_id, level.value, code=code.strip())
    features = orjson.loads(body)["features"]
    if not features:
        raise NotFound(f"no {level.value} with code {code!r}")
    return Response(orjson.dumps(features[0]), media_type=GEOJSON)


@router.get("/locate", response_model=Located, summary="The areas containing a point")
async def locate(
    member: AnyMember,
    conn: Conn,
    request: Request,
    lon: Annotated[float, Query(ge=-180, le=180)],
    lat: Annotated[float, Query(ge=-90, le=90)],
) -> Located:
    index = await request.state.area_indexes.get(member.campaign_id)
    return await queries.locate_indexed(conn, index, lon, lat)
