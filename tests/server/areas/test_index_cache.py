"""The area index is built once per version of a campaign's areas, by the importer, and
stored: a process that needs it loads it instead of building it before its first answer."""

from __future__ import annotations

import pytest

from server.areas.index import AreaIndex
from server.areas.index_cache import AreaIndexCache
from tests.conftest import new_paris_campaign

PANTHEON = (2.3464, 48.8462)


@pytest.fixture
def no_build(monkeypatch):
    def refuse(*_a, **_k):
        raise AssertionError("built again")

    monkeypatch.setattr(AreaIndex, "build", classmethod(refuse))


async def test_imported_paris_is_located_without_building(pool, paris, no_build):
    index = await AreaIndexCache(pool).get(paris["id"])
    found = index.locate(*PANTHEON)
    assert all(found[level] is not None for level in ("district", "neighbourhood", "polling_station"))
    async with pool.acquire() as c:
        code = await c.fetchval("SELECT code FROM areas WHERE id = $1", found["district"])
    assert code == "5"


async def test_areas_changed_since_the_blob_are_built_again_and_stored(pool):
    async with pool.acquire() as c:
        # the Panthéon's arrondissement and a neighbour: the blob's versioning, not the city's size
        campaign = await new_paris_campaign(c, "blob", "blob", districts={"5", "6"}, skip_addresses=True)
        await c.execute(
            "DELETE FROM areas WHERE campaign_id = $1 AND level = 'district' AND code = '5'", campaign["id"]
        )
    index = await AreaIndexCache(pool).get(campaign["id"])
    assert index.locate(*PANTHEON)["district"] is None  # not the blob of the import
    async with pool.acquire() as c:
        stored = await c.fetchval("SELECT version FROM area_index_blobs WHERE campaign_id = $1", campaign["id"])
        assert stored.startswith(
            f"{await c.fetchval('SELECT count(*) FROM areas WHERE campaign_id = $1', campaign['id'])}|"
        )
