"""Reading address points for walk lists."""

from __future__ import annotations

import asyncpg

from server.addresses.walk import Door
from server.sql import sql


async def station_doors(conn: asyncpg.Connection, campaign_id: int, code: str) -> list[Door]:
    rows = await conn.fetch(sql("addresses/station_addresses"), campaign_id, code)
    return [Door(r["id"], r["number"], r["street"], r["lon"], r["lat"]) for r in rows]
