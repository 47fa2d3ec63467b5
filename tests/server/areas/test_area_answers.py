"""The /areas answers kept by the server: `?fields=` (map, figures), ETag and 304, rebuilt when
the campaign's results change."""

from __future__ import annotations

from tests.conftest import add_user, bearer


def _by_code(fc: dict) -> dict[str, dict]:
    return {f["properties"]["code"]: f for f in fc["features"]}


async def test_map_and_figures_fields_split_the_full_answer(paris, pool, client):
    user = await add_user(pool, paris["slug"], "coordinator")
    url, h = f"/api/campaigns/{paris['slug']}/areas", bearer(user["token"])
    answers = {}
    for fields in (None, "map", "figures"):
        params = {"level": "polling_station"} | ({"fields": fields} if fields else {})
        r = await client.get(url, params=params, headers=h)
        assert r.status_code == 200, r.text
        assert r.headers["content-type"].startswith("application/geo+json")
        answers[fields] = (len(r.content), _by_code(r.json()))
    full, drawn, figures = (answers[f][1] for f in (None, "map", "figures"))
    assert len(full) == len(drawn) == len(figures) == 902
    for code, f in full.items():
        p = f["properties"]
        assert drawn[code]["geometry"] == f["geometry"] and f["geometry"]["type"] == "MultiPolygon"
        assert drawn[code]["properties"] == {k: v for k, v in p.items() if k not in ("lists", "top_lists")}
        assert figures[code]["geometry"] is None and figures[code]["properties"] == p
    assert all(p["properties"]["lists"] for p in figures.values())
    # the first draw's answer is well under half of the full one
    assert answers["map"][0] < answers[None][0] / 2

    bad = await client.get(url, params={"level": "polling_station", "fields": "everything"}, headers=h)
    assert bad.status_code == 422 and "fields" in bad.json()["detail"]


async def _import_results(pool, campaign_id: int, stations, share_a: float) -> None:
    from server.results.csv_reader import ResultFile, ResultRow
    from server.results.loading import import_results

    rows = [
        ResultRow(
            line=i,
            code=f.code,
            registered=1000,
            voters=600,
            abstentions=None,
            valid_votes=None,
            lists={"a": {"votes": None, "share": share_a}, "b": {"votes": None, "share": 1 - share_a}},
        )
        for i, f in enumerate(stations.features)
    ]
    async with pool.acquire() as c:
        await import_results(c, campaign_id, "x", ResultFile(rows=rows, derived=[], delimiter=";", encoding="utf-8"))


async def test_etag_gives_304_until_the_results_change(pool, campaign, client):
    from server.areas.geojson_reader import read_area_file
    from server.areas.loading import import_area_layer
    from server.demo import DATA

    stations = read_area_file(DATA / "paris_secteurs_bureaux_vote_2024.geojson", "id_bv")
    async with pool.acquire() as c:
        await import_area_layer(c, campaign["id"], "polling_station", stations)
    await _import_results(pool, campaign["id"], stations, 0.7)
    user = await add_user(pool, campaign["slug"], "coordinator")
    url, h = f"/api/campaigns/{campaign['slug']}/areas", bearer(user["token"])
    params = {"level": "polling_station", "fields": "figures"}

    first = await client.get(url, params=params, headers=h | {"Accept-Encoding": "identity"})
    assert first.status_code == 200
    etag = first.headers["etag"]
    assert "no-cache" in first.headers["cache-control"]
    assert {f["properties"]["lists"]["a"] for f in first.json()["features"]} == {0.7}

    # brotli: the same answer, compressed, with the same (weak) ETag
    br = await client.get(url, params=params, headers=h | {"Accept-Encoding": "br"})
    assert br.headers["content-encoding"] == "br" and br.headers["etag"] == etag
    assert "accept-encoding" in br.headers["vary"].lower()
    assert br.content == first.content  # as httpx decoded it

    unchanged = await client.get(url, params=params, headers=h | {"If-None-Match": etag})
    assert unchanged.status_code == 304 and unchanged.content == b"" and unchanged.headers["etag"] == etag
    listed = await client.get(url, params=params, headers=h | {"If-None-Match": f'"other", {etag}'})
    assert listed.status_code == 304

    # another import of the same election: the kept answer is rebuilt, the old ETag no longer matches
    await _import_results(pool, campaign["id"], stations, 0.2)
    changed = await client.get(url, params=params, headers=h | {"If-None-Match": etag})
    assert changed.status_code == 200 and changed.headers["etag"] != etag
    assert {f["properties"]["lists"]["a"] for f in changed.json()["features"]} == {0.2}
