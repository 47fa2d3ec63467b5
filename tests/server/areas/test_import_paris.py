"""Importing the real Paris layers and results into PostGIS, through the CLI's code paths."""

from __future__ import annotations

import csv

import orjson

from server.demo import DATA, RESULTS, european_list_fields
from server.sql import sql
from tests.conftest import import_paris


def _file_totals() -> dict:
    with open(DATA / RESULTS, encoding="utf-8-sig", newline="") as f:
        rows = list(csv.DictReader(f, delimiter=";"))
    lists = european_list_fields()
    return {
        "rows": len(rows),
        "registered": sum(int(r["nb_inscr"]) for r in rows),
        "voters": sum(int(r["nb_votant"]) for r in rows),
        "valid": sum(int(r["nb_exprim"]) for r in rows),
        "bardella": sum(int(r["bardella_jordan"]) for r in rows),
        "lists": sum(int(r[name]) for r in rows for name in lists),
    }


def _sectors() -> list[dict]:
    return orjson.loads((DATA / "paris_secteurs_bureaux_vote_2024.geojson").read_bytes())["features"]


async def test_paris_levels_and_results(paris, conn):
    counts = {r["level"]: r["n"] for r in await conn.fetch(sql("areas/levels"), paris["id"])}
    assert counts == {"district": 20, "neighbourhood": 80, "polling_station": 902}

    expected = _file_totals()
    got = await conn.fetchrow(
        """SELECT count(*) AS n, sum(registered) AS registered, sum(voters) AS voters,
                  sum(valid_votes) AS valid, sum((lists->'bardella_jordan'->>'votes')::int) AS bardella
           FROM election_results WHERE campaign_id = $1""",
        paris["id"],
    )
    assert got["n"] == expected["rows"] == 902
    assert (got["registered"], got["voters"], got["valid"], got["bardella"]) == (
        expected["registered"],
        expected["voters"],
        expected["valid"],
        expected["bardella"],
    )
    assert expected["registered"] == 1_378_929 and expected["voters"] == 822_744

    # every one of the 902 stations has its results
    missing = await conn.fetchval(
        """SELECT count(*) FROM areas a WHERE a.campaign_id = $1 AND a.level = 'polling_station'
           AND NOT EXISTS (SELECT 1 FROM election_results r WHERE r.campaign_id = a.campaign_id AND r.code = a.code)""",
        paris["id"],
    )
    assert missing == 0


async def test_parents_by_largest_overlap(paris, conn):
    rows = await conn.fetch(sql("areas/station_parents"), paris["id"])
    district = {r["station_code"]: r["parent_code"] for r in rows if r["level"] == "district"}
    assert len(district) == 902
    # a sector code is "<arrondissement>-<number>"; the README says 901 of 902 interior points fall
    # in their own arrondissement (4-99 is a 1 m² placeholder in the 12th)
    agree = sum(1 for code, parent in district.items() if code.split("-")[0] == parent)
    assert agree >= 901
    # levels do not nest: some sectors straddle quartiers, and the shares say by how much
    straddling = await conn.fetchval(
        """SELECT count(DISTINCT o.child_id) FROM area_overlaps o JOIN areas c ON c.id = o.child_id
           JOIN areas p ON p.id = o.parent_id
           WHERE c.campaign_id = $1 AND c.level = 'polling_station' AND p.level = 'neighbourhood'
             AND o.share BETWEEN 0.05 AND 0.95""",
        paris["id"],
    )
    assert straddling > 0
    total = await conn.fetchval(
        """SELECT max(s) FROM (SELECT sum(o.share) s FROM area_overlaps o JOIN areas c ON c.id = o.child_id
           JOIN areas p ON p.id = o.parent_id WHERE c.campaign_id = $1 AND p.level = 'district'
           GROUP BY o.child_id) t""",
        paris["id"],
    )
    assert 0.99 < total <= 1.0001


async def test_reimport_replaces_layer_and_keeps_results(campaign, conn):
    # One real arrondissement (the 5th), through the same import as the whole city: the
    # replacement is per layer, whatever its size.
    await import_paris(conn, campaign["id"], districts={"5"})
    expected = {r["level"]: r["n"] for r in await conn.fetch(sql("areas/levels"), campaign["id"])}
    stations = sum(1 for f in _sectors() if f["properties"]["arrondissement_bv"] == 5)
    assert expected == {"district": 1, "neighbourhood": 4, "polling_station": stations} and stations == 25
    results = "SELECT count(*) FROM election_results WHERE campaign_id = $1"
    assert await conn.fetchval(results, campaign["id"]) == stations
    # addresses in a station of the layer as it is now (a deleted station's id joins nothing)
    located = """SELECT count(a.id) FROM addresses ad
                 LEFT JOIN areas a ON a.id = ad.polling_station_id AND a.level = 'polling_station'
                 WHERE ad.campaign_id = $1"""
    located_before = await conn.fetchval(located, campaign["id"])
    assert located_before > 1000
    ids_before = await conn.fetchval(
        "SELECT min(id) FROM areas WHERE campaign_id = $1 AND level = 'polling_station'", campaign["id"]
    )
    await import_paris(conn, campaign["id"], districts={"5"}, skip_addresses=True)
    counts = {r["level"]: r["n"] for r in await conn.fetch(sql("areas/levels"), campaign["id"])}
    assert counts == expected
    ids_after = await conn.fetchval(
        "SELECT min(id) FROM areas WHERE campaign_id = $1 AND level = 'polling_station'", campaign["id"]
    )
    assert ids_after > ids_before  # replaced, not appended
    assert await conn.fetchval(results, campaign["id"]) == stations
    assert await conn.fetchval(located, campaign["id"]) == located_before  # located again in the new rows
