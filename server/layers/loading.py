"""Storing an open-data layer (all or nothing) and computing, in PostGIS, what each polling station
gets from it: per-station features at import, and Corto's distance zones on demand, cached per
(layer, distance).

Everything metric runs in the campaign's UTM zone (see sql/layers/utm_srid.sql): no city-specific
projection, and `ST_Buffer`/`ST_Area` on planar geometry are an order of magnitude faster than on
`geography`.
"""

from __future__ import annotations

import asyncpg
import shapely

from server.errors import InvalidInput, NotFound
from server.layers.reader import LayerFeature
from server.sql import sql


async def metric_srid(conn: asyncpg.Connection, campaign_id: int) -> int:
    srid = await conn.fetchval(sql("layers/utm_srid"), campaign_id)
    if srid is None:
        raise InvalidInput("the campaign has no polling stations: import them first (quadriller areas import)")
    return srid


async def layer_by_name(conn: asyncpg.Connection, campaign_id: int, name: str) -> asyncpg.Record:
    row = await conn.fetchrow(sql("layers/by_name"), campaign_id, name)
    if row is None:
        raise NotFound(f"no layer {name!r} in this campaign (quadriller layers import … --name {name})")
    return row


async def _stage(conn: asyncpg.Connection, campaign_id: int, layer_id: int, population: bool = True) -> None:
    """Temp tables of the layer's features and the campaign's stations, metric, inside a
    transaction; with `population`, also the addresses (and a point inside each station, for
    those without) that the station features are weighted by."""
    srid = await metric_srid(conn, campaign_id)
    await conn.execute(sql("layers/stage_features"), layer_id, srid)
    await conn.execute(sql("layers/stage_stations" if population else "layers/stage_station_shapes"), campaign_id, srid)
    if population:
        await conn.execute(sql("layers/stage_addresses"), campaign_id, srid)
        await conn.execute(sql("layers/index_addresses"))
    await conn.execute(sql("layers/index_staged"))


async def import_layer(
    conn: asyncpg.Connection,
    campaign_id: int,
    name: str,
    features: list[LayerFeature],
    value_field: str | None,
    weight_field: str | None,
) -> dict:
    """Replace layer `name` of the campaign and compute its station features, in one transaction."""
    await metric_srid(conn, campaign_id)  # refuse before writing anything
    kinds = sorted({f.kind for f in features})
    async with conn.transaction():
        await conn.execute(sql("layers/delete_layer"), campaign_id, name)
        layer_id = await conn.fetchval(
            sql("layers/insert_layer"), campaign_id, name, kinds, value_field, weight_field, len(features)
        )
        records = [
            (layer_id, f.ordinal, shapely.set_srid(f.geom, 4326), f.value, f.weight, f.radius_m, f.props)
            for f in features
        ]
        await conn.copy_records_to_table(
            "layer_features",
            records=records,
            columns=["layer_id", "ordinal", "geom", "value", "weight", "radius_m", "props"],
        )
        await compute_station_features(conn, campaign_id, layer_id, staged=False)
    return {
        "layer": name,
        "features": len(features),
        "kinds": kinds,
        "value_field": value_field,
        "weight_field": weight_field,
        "with_value": sum(f.value is not None for f in features),
    }


async def compute_station_features(
    conn: asyncpg.Connection, campaign_id: int, layer_id: int, staged: bool = False
) -> None:
    async with conn.transaction():
        if not staged:
            await _stage(conn, campaign_id, layer_id)
        await conn.execute(sql("layers/delete_station_features"), layer_id)
        await conn.execute(sql("layers/station_features"), layer_id)


async def ensure_station_features(conn: asyncpg.Connection, campaign_id: int) -> None:
    """Recompute the station features of layers whose stations were re-imported since."""
    for layer in await conn.fetch(sql("layers/list"), campaign_id):
        if not await conn.fetchval(sql("layers/count_station_features"), layer["id"], campaign_id):
            await compute_station_features(conn, campaign_id, layer["id"])


def check_metres(metres: float) -> float:
    if not (0 <= metres <= 50_000):
        raise InvalidInput(f"distance {metres!r} m: expected 0 to 50,000 metres")
    return float(metres)


async def zone_shares(
    conn: asyncpg.Connection, campaign_id: int, layer_name: str, metres: float
) -> dict[str, tuple[float, float | None]]:
    """{station code: (share of area beyond, share of addresses beyond or None)} for a layer and a
    distance, computed once and cached in PostGIS (layer_zones, station_zone_shares)."""
    metres = check_metres(metres)
    layer = await layer_by_name(conn, campaign_id, layer_name)
    rows = await conn.fetch(sql("layers/zone_shares"), campaign_id, layer["id"], metres)
    stations = await conn.fetchval(sql("layers/station_count"), campaign_id)
    if len(rows) != stations:  # never computed, or the stations were re-imported since
        async with conn.transaction():
            await conn.execute(sql("layers/delete_zone"), layer["id"], metres)
            await _stage(conn, campaign_id, layer["id"], population=False)
            await conn.execute(sql("layers/stage_near"), metres)
            await conn.execute(sql("layers/index_near"))
            await conn.execute(sql("layers/save_zone"), layer["id"], metres, campaign_id)
        rows = await conn.fetch(sql("layers/zone_shares"), campaign_id, layer["id"], metres)
    return {r["code"]: (r["share_area"], r["share_addresses"]) for r in rows}


async def zone_geojson(conn: asyncpg.Connection, campaign_id: int, layer_name: str, metres: float, side: str) -> dict:
    await zone_shares(conn, campaign_id, layer_name, metres)  # computes the zone when needed
    layer = await layer_by_name(conn, campaign_id, layer_name)
    geom = await conn.fetchval(sql("layers/zone_geojson"), campaign_id, layer["id"], check_metres(metres), side)
    return {"type": "Feature", "properties": {"layer": layer_name, "metres": metres, "side": side}, "geometry": geom}
