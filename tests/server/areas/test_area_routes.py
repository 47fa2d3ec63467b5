"""The areas API on the Paris campaign: GeoJSON per level with result figures, one area, errors."""

from __future__ import annotations

from tests.conftest import add_user, bearer


async def test_levels_as_geojson_with_figures(paris, pool, client):
    user = await add_user(pool, paris["slug"], "coordinator")
    counts = {}
    for level in ("district", "neighbourhood", "polling_station"):
        r = await client.get(
            f"/api/campaigns/{paris['slug']}/areas", params={"level": level}, headers=bearer(user["token"])
        )
        assert r.status_code == 200, r.text
        assert r.headers["content-type"].startswith("application/geo+json")
        fc = r.json()
        counts[level] = len(fc["features"])
        registered = sum(f["properties"]["registered"] or 0 for f in fc["features"])
        if level != "neighbourhood":
            # stations each have one main district, so district sums equal the city's total
            assert registered == 1_378_929
        else:
            assert 1_300_000 < registered <= 1_378_929
        for f in fc["features"]:
            assert f["geometry"]["type"] == "MultiPolygon"
    assert counts == {"district": 20, "neighbourhood": 80, "polling_station": 902}


async def test_one_station_by_code(paris, pool, client):
    user = await add_user(pool, paris["slug"], "volunteer")
    r = await client.get(f"/api/campaigns/{paris['slug']}/areas/polling_station/18-60", headers=bearer(user["token"]))
    assert r.status_code == 200
    p = r.json()["properties"]
    assert p["code"] == "18-60" and p["district_code"] == "18"
    assert 0 < p["turnout"] < 1 and abs(p["turnout"] + p["abstention_rate"] - 1) < 1e-9
    assert p["voters"] == p["registered"] - p["abstentions"]
    shares = [t["share"] for t in p["top_lists"]]
    assert shares == sorted(shares, reverse=True) and len(shares) == 3
    assert abs(sum(p["lists"].values()) - 1) < 1e-6


async def test_errors_are_problem_details(paris, pool, client):
    user = await add_user(pool, paris["slug"], "volunteer")
    h = bearer(user["token"])
    missing = await client.get(f"/api/campaigns/{paris['slug']}/areas/polling_station/99-999", headers=h)
    assert missing.status_code == 404
    body = missing.json()
    assert missing.headers["content-type"].startswith("application/problem+json")
    assert body["status"] == 404 and "99-999" in body["detail"]

    bad_level = await client.get(f"/api/campaigns/{paris['slug']}/areas", params={"level": "planet"}, headers=h)
    assert bad_level.status_code == 422 and "level" in bad_level.json()["detail"]

    bad_point = await client.get(f"/api/campaigns/{paris['slug']}/locate", params={"lon": 500, "lat": 48.8}, headers=h)
    assert bad_point.status_code == 422 and "lon" in bad_point.json()["detail"]

    r = await client.get("/api/me")
    assert r.status_code == 401 and r.json()["title"] == "Unauthenticated"


async def test_district_shares_from_percent_only_results(pool, campaign, client):
    """Results known only as shares still give districts their leading lists, weighted by voters."""
    from server.areas.geojson_reader import read_area_file
    from server.areas.loading import import_area_layer
    from server.demo import DATA
    from server.results.csv_reader import ResultFile, ResultRow
    from server.results.loading import import_results
    from tests.conftest import add_user, bearer

    async with pool.acquire() as c:
        await import_area_layer(
            c, campaign["id"], "district", read_area_file(DATA / "paris_arrondissements.geojson", "c_ar", "l_ar")
        )
        stations = read_area_file(DATA / "paris_secteurs_bureaux_vote_2024.geojson", "id_bv")
        await import_area_layer(c, campaign["id"], "polling_station", stations)
        rows = [
            ResultRow(
                line=i,
                code=f.code,
                registered=1000,
                voters=600 if i % 2 else 300,
                abstentions=None,
                valid_votes=None,
                lists={
                    "a": {"votes": None, "share": 0.7 if i % 2 else 0.1},
                    "b": {"votes": None, "share": 0.3 if i % 2 else 0.9},
                },
            )
            for i, f in enumerate(stations.features)
        ]
        await import_results(c, campaign["id"], "x", ResultFile(rows=rows, derived=[], delimiter=";", encoding="utf-8"))
    user = await add_user(pool, campaign["slug"], "coordinator")
    r = await client.get(
        f"/api/campaigns/{campaign['slug']}/areas", params={"level": "district"}, headers=bearer(user["token"])
    )
    shares = [f["properties"]["lists"] for f in r.json()["features"]]
    for s in shares:
        assert abs(s["a"] + s["b"] - 1) < 1e-9
    # odd stations (weight 600, a=0.7) outweigh even ones (weight 300, a=0.1) about two to one
    city_a = sum(s["a"] for s in shares) / len(shares)
    assert 0.4 < city_a < 0.6
