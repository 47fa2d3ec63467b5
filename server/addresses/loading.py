"""Store an address file for a campaign (all or nothing), and locate addresses in stations."""

from __future__ import annotations

from dataclasses import dataclass

import asyncpg

from server.addresses.reader import AddressFile
from server.sql import sql


@dataclass
class AddressImportReport:
    imported: int
    replaced: int
    located: int
    unlocated: int

    def as_dict(self) -> dict:
        return {
            "imported": self.imported,
            "replaced": self.replaced,
            "located": self.located,
            "unlocated": self.unlocated,
        }


async def import_addresses(
    conn: asyncpg.Connection, campaign_id: int, address_file: AddressFile
) -> AddressImportReport:
    async with conn.transaction():
        status = await conn.execute(sql("addresses/delete_campaign"), campaign_id)
        replaced = int(status.split()[-1])
        await conn.execute(sql("addresses/create_staging"))
        await conn.copy_records_to_table(
            "address_staging",
            records=address_file.rows,
            columns=["ext_id", "number", "street", "postcode", "lon", "lat"],
        )
        await conn.execute(sql("addresses/insert_from_staging"), campaign_id)
        located, unlocated = await locate_addresses(conn, campaign_id)
    return AddressImportReport(len(address_file.rows), replaced, located, unlocated)


async def locate_addresses(conn: asyncpg.Connection, campaign_id: int) -> tuple[int, int]:
    """(located, unlocated): every address put in the polling station that covers it."""
    await conn.execute(sql("addresses/unlocate"), campaign_id)
    await conn.execute(sql("addresses/analyze"))
    stations = [r["id"] for r in await conn.fetch(sql("addresses/station_ids"), campaign_id)]
    await conn.executemany(sql("addresses/locate_in_station"), [(campaign_id, s) for s in stations])
    row = await conn.fetchrow(sql("addresses/counts"), campaign_id)
    return row["located"], row["unlocated"]
