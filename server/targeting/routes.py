"""Targeting API: the campaign's chosen target, its open-data layers and their distance zones.
The ranked stations themselves are served by GET …/priorities with a camp (server/priorities)."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query

from server.deps import Conn, HQMember
from server.errors import NotFound
from server.layers.loading import zone_geojson
from server.sql import sql
from server.targeting import queries
from server.targeting.schemas import LayerInfo, ModelInfo, Target

router = APIRouter(prefix="/api/campaigns/{slug}", tags=["targeting"])


@router.get("/target", response_model=Target, summary="The target the campaign chose (dispatch uses it)")
async def get_target(member: HQMember, conn: Conn) -> Target:
    target = await queries.stored_target(conn, member.campaign_id)
    if target is None:
        raise NotFound("the campaign has chosen no target yet")
    return target


@router.put("/target", response_model=Target, summary="Choose the campaign's target: camp, mode, factors")
async def put_target(member: HQMember, conn: Conn, target: Target) -> Target:
    return await queries.save_target(conn, member.campaign_id, target)


@router.get("/layers", response_model=list[LayerInfo], summary="The campaign's open-data layers")
async def layers(member: HQMember, conn: Conn) -> list[LayerInfo]:
    return [
        LayerInfo(name=r["name"], kinds=r["kinds"], value_field=r["value_field"], features=r["features"])
        for r in await conn.fetch(sql("layers/list"), member.campaign_id)
    ]


@router.get(
    "/layers/{name}/zone",
    summary="Where the city is farther (beyond) or nearer than METRES from "
    "a layer, as a GeoJSON Feature (computed once, then cached)",
)
async def zone(
    member: HQMember,
    conn: Conn,
    name: str,
    metres: Annotated[float, Query(ge=0, le=50_000)],
    side: Literal["beyond", "near"] = "beyond",
) -> dict:
    return await zone_geojson(conn, member.campaign_id, name, metres, side)


@router.get("/models", response_model=list[ModelInfo], summary="Fitted models the model mode can use")
async def models(member: HQMember, conn: Conn) -> list[ModelInfo]:
    return [
        ModelInfo(**{**dict(r), "fitted_at": r["fitted_at"].isoformat()})
        for r in await conn.fetch(sql("targeting/usable_models"), member.campaign_id)
    ]
