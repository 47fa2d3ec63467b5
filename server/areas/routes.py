from __future__ import annotations

from typing import Annotated

import orjson
from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from server.limits import Code, Label
from server.areas import queries
from server.areas.answers import GEOJSON, AreaAnswerCache
from server.areas.schemas import AreaFields, Level, Located
from server.deps import AnyMember, Conn
from server.errors import NotFound

router = APIRouter(prefix="/api/campaigns/{slug}", tags=["areas"])


@router.get(
    "/areas",
    summary="One level's areas as GeoJSON, with result figures as properties",
    description=(
        "Built once per version of the campaign's areas and results and kept by the server; the "
        "answer carries an ETag, and `If-None-Match` with it gets a 304. `fields=map` leaves out "
        "the lists' figures (`lists` and `top_lists`: most of the stations' bytes) for a first "
        "draw; `fields=figures` has every figure and no geometry (null), to complete it."
    ),
    response_class=Response,
    responses={200: {"content": {GEOJSON: {}}}, 304: {"description": "unchanged since the ETag given"}},
)
async def areas_of_level(
    member: AnyMember,
    conn: Conn,
    request: Request,
    level: Level,
    election: Annotated[Label | None, Query(description="default: the latest imported")] = None,
    fields: Annotated[AreaFields, Query(description="all (default), map or figures")] = AreaFields.all,
) -> Response:
    answers: AreaAnswerCache = request.state.area_answers
    answer = await answers.get(conn, member.campaign_id, level.value, election, fields.value)
    return await answer.response(request)


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
