"""Writing an area layer to PostGIS: all or nothing, replacing the layer, then parents derived."""

from __future__ import annotations

from dataclasses import dataclass, field

import asyncpg
import shapely

from server.areas.geojson_reader import AreaFile
from server.sql import sql

LEVELS = ("district", "neighbourhood", "polling_station")
# ST_SimplifyPreserveTopology tolerance for display geometry, in degrees (about 5 m).
DISPLAY_TOLERANCE_DEG = 0.00005


@dataclass
class AreaImportReport:
    level: str
    imported: int
    replaced: int
    repaired: list[dict] = field(default_factory=list)
    overlaps: int = 0

    def as_dict(self) -> dict:
        return {
            "level": self.level,
            "imported": self.imported,
            "replaced": self.replaced,
            "repaired": self.repaired,
            "overlaps": self.overlaps,
        }


async def import_area_layer(
    conn: asyncpg.Connection, campaign_id: int, level: str, area_file: AreaFile
) -> AreaImportReport:
    if level not in LEVELS:
        raise ValueError(level)
    records = [(f.code, f.name, shapely.to_wkb(f.geom), f.props, f.repaired) for f in area_file.features]
    async with conn.transaction():
        status = await conn.execute(sql("areas/delete_level"), campaign_id, level)
        replaced = int(status.split()[-1])
        await conn.execute(sql("areas/create_staging"))
        await conn.copy_records_to_table(
            "area_staging", records=records, columns=["code", "name", "wkb", "props", "repaired"]
        )
        await conn.execute(sql("areas/insert_from_staging"), campaign_id, level, DISPLAY_TOLERANCE_DEG)
        overlaps = await rebuild_overlaps(conn, campaign_id)
        if level == "polling_station":
            # The old stations are gone (their addresses' station went NULL): locate them again.
            from server.addresses.loading import locate_addresses

            await locate_addresses(conn, campaign_id)
    repaired = [{"code": f.code, "reason": f.repair_note} for f in area_file.repaired]
    return AreaImportReport(level, len(records), replaced, repaired, overlaps)


async def rebuild_overlaps(conn: asyncpg.Connection, campaign_id: int) -> int:
    await conn.execute(sql("areas/delete_overlaps"), campaign_id)
    status = await conn.execute(sql("areas/insert_overlaps"), campaign_id)
    return int(status.split()[-1])
