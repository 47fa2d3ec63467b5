"""The targeting score's per-station inputs: statics cached per (campaign, election), visits read
fresh; the same figures as the default ranking's SQL, and a re-import is seen at once."""

from __future__ import annotations

import datetime as dt

import pytest

from server.sql import sql
from server.targeting.inputs import station_rows
from tests.conftest import add_user, new_paris_campaign

ELECTION = "europeennes-2024"
COLUMNS = (
    "id",
    "code",
    "name",
    "registered",
    "abstentions",
    "valid_votes",
    "lists",
    "volunteers",
    "doors_knocked",
    "lon",
    "lat",
)


@pytest.fixture(scope="module")
async def own_paris(pool) -> dict:
    """Paris of its own: these tests re-import results and add tour reports."""
    async with pool.acquire() as c:
        # the inputs read stations, results and tour reports: neither addresses nor the area index
        return await new_paris_campaign(c, "inputs", "Paris (inputs tests)", skip_addresses=True, area_index=False)


async def test_cached_inputs_follow_visits_and_reimports(pool, own_paris):
    cid = own_paris["id"]
    lo = dt.datetime(2026, 12, 1, tzinfo=dt.UTC)
    hi = lo + dt.timedelta(days=1)
    async with pool.acquire() as c:
        first = {r["code"]: r for r in await station_rows(c, cid, ELECTION, lo, hi)}
        shared = {r["code"]: r for r in await c.fetch(sql("priorities/stations"), cid, ELECTION, lo, hi, None)}
        assert len(first) == len(shared) == 902
        for code, r in shared.items():
            assert tuple(first[code][k] for k in COLUMNS) == tuple(r[k] for k in COLUMNS)
        code = min(first)
        # a tour report in the window: seen on the next call, without a re-read of the statics
        user = await add_user(pool, own_paris["slug"], "volunteer", "Reporter")
        uid = await c.fetchval("SELECT id FROM users WHERE login = $1", user["login"])
        await c.execute(
            "INSERT INTO tour_reports (campaign_id, user_id, area_id, area_source, doors_knocked, "
            "doors_opened, contacts, created_at) VALUES ($1, $2, $3, 'given', 40, 10, 2, $4)",
            cid,
            uid,
            first[code]["id"],
            lo + dt.timedelta(hours=1),
        )
        second = {r["code"]: r for r in await station_rows(c, cid, ELECTION, lo, hi)}
        assert (second[code]["volunteers"], second[code]["doors_knocked"]) == (1, 40)
        assert second[min(set(first) - {code})]["volunteers"] == 0
        # the results re-imported (an import writes imported_at): the cache is not used
        await c.execute(
            "UPDATE election_results SET registered = registered + 1000, imported_at = now() "
            "WHERE campaign_id = $1 AND election = $2 AND code = $3",
            cid,
            ELECTION,
            code,
        )
        third = {r["code"]: r for r in await station_rows(c, cid, ELECTION, lo, hi)}
        assert third[code]["registered"] == first[code]["registered"] + 1000
