"""Real polling stations with their doors (imported addresses), for the door, contact, privacy
and retention tests."""

from __future__ import annotations


async def station_doors(pool, campaign_id: int, n: int = 1) -> list[dict]:
    """n real polling stations with a few dozen doors each (not the biggest: test_walk uses that
    one), with their address ids in no particular order and their district. Only stations that
    no earlier test has recorded doors, contacts or reports in: the Paris campaign is shared, and
    coverage counts everything recorded at a station."""
    async with pool.acquire() as c:
        rows = await c.fetch(
            "SELECT a.code, array_agg(ad.id ORDER BY ad.id) AS doors, "
            "(SELECT p.code FROM area_overlaps o JOIN areas p ON p.id = o.parent_id WHERE o.child_id = a.id "
            " AND p.level = 'district' ORDER BY o.share DESC LIMIT 1) AS district "
            "FROM addresses ad JOIN areas a ON a.id = ad.polling_station_id WHERE a.campaign_id = $1 "
            "AND NOT EXISTS (SELECT 1 FROM door_outcomes x WHERE x.area_id = a.id) "
            "AND NOT EXISTS (SELECT 1 FROM contacts x WHERE x.area_id = a.id) "
            "AND NOT EXISTS (SELECT 1 FROM tour_reports x WHERE x.area_id = a.id) "
            "GROUP BY a.id HAVING count(*) BETWEEN 30 AND 200 ORDER BY random() LIMIT $2",
            campaign_id,
            n,
        )
    return [dict(r) for r in rows]


async def doors_of(pool, campaign_id: int, code: str) -> list[int]:
    """The address ids of polling station `code`, in id order."""
    async with pool.acquire() as c:
        return await c.fetchval(
            "SELECT array_agg(ad.id ORDER BY ad.id) FROM addresses ad JOIN areas a ON a.id = ad.polling_station_id "
            "WHERE a.campaign_id = $1 AND a.code = $2",
            campaign_id,
            code,
        )
