"""The targeting score through the export command and the API, on the real Paris campaign."""

from __future__ import annotations

import csv
import io
import json

import pytest

from server.cli import main as cli_main
from server.targeting.queries import station_values
from tests.conftest import DATA, add_user, bearer

CAMP = "glucksmann_raphaël,toussaint_marie"
ELECTION = "europeennes-2024"


def export(capsys, slug: str, *extra: str) -> tuple[int, str, str]:
    code = cli_main(["priorities", "export", "--campaign", slug, "--election", ELECTION, "--camp", CAMP, *extra])
    out, err = capsys.readouterr()
    return code, out, err


def raw_results() -> dict[str, dict]:
    with open(DATA / "paris_europeennes_2024_resultats_bv.csv", encoding="utf-8-sig", newline="") as f:
        return {r["id_bv"]: r for r in csv.DictReader(f, delimiter=";")}


def test_export_mobilisation_equals_the_hand_computation(capsys, paris_layers):
    code, out, err = export(capsys, paris_layers["slug"], "--beyond", "green:250")
    assert code == 0, err
    rows = list(csv.DictReader(io.StringIO(out)))
    assert len(rows) == 902
    assert list(rows[0])[:4] == ["code", "name", "score", "rank"]
    assert "share_beyond_green_250m" in rows[0] and "camp_share" in rows[0] and "abstention_rate" in rows[0]
    raw = raw_results()
    for r in rows:
        x = raw[r["code"]]
        reg, voters, valid = int(x["nb_inscr"]), int(x["nb_votant"]), int(x["nb_exprim"])
        hand = reg * ((reg - voters) / reg) * ((int(x["glucksmann_raphaël"]) + int(x["toussaint_marie"])) / valid)
        assert float(r["score"]) == pytest.approx(hand, rel=1e-9)
    scores = [float(r["score"]) for r in rows]
    assert scores == sorted(scores, reverse=True) and [int(r["rank"]) for r in rows] == list(range(1, 903))
    assert all(0 <= float(r["share_beyond_green_250m"]) <= 1 for r in rows)
    assert {r["share_beyond_green_250m_weighting"] for r in rows} <= {"addresses", "area"}


def test_export_filter_and_geojson(capsys, paris_layers):
    code, out, err = export(capsys, paris_layers["slug"], "--factor", "green:250>=0.3", "--format", "geojson")
    assert code == 0, err
    feats = json.loads(out)["features"]
    assert len(feats) == 902 and all(f["geometry"] for f in feats)
    kept = [f for f in feats if f["properties"]["score"] > 0]
    assert kept and all(f["properties"]["share_beyond_green_250m"] >= 0.3 for f in kept)
    dropped = [f for f in feats if f["properties"]["share_beyond_green_250m"] < 0.3]
    assert dropped and all(f["properties"]["score"] == 0 for f in dropped)


def test_export_households_say_their_weighting(capsys, paris_layers):
    """The households a station's canvassing counts against come from the grid split by its
    addresses, and the export says so station by station."""
    code, out, err = export(capsys, paris_layers["slug"], "--households-layer", "grid")
    assert code == 0, err
    rows = list(csv.DictReader(io.StringIO(out)))
    assert len(rows) == 902
    assert sum(r["households_weighting"] == "addresses" for r in rows) > 850
    assert {r["households_weighting"] for r in rows} <= {"addresses", "area"}
    households = [float(r["households"]) for r in rows if r["households"]]
    assert len(households) > 850 and sum(households) > 900_000  # the grid: 1.02 M inside Paris


def test_bad_input_exits_2_with_a_reason(capsys, paris_layers):
    code, _, err = export(capsys, paris_layers["slug"], "--factor", "green:250>=3")
    assert code == 2 and "share is between 0 and 1" in err
    code, _, err = export(capsys, paris_layers["slug"], "--factor", "parks:250")
    assert code == 2 and "no layer 'parks'" in err
    code = cli_main(["priorities", "export", "--campaign", paris_layers["slug"], "--camp", "nobody"])
    assert code == 2 and "no list 'nobody'" in capsys.readouterr().err


async def test_api_target_and_station_values(client, pool, paris_layers):
    hq = bearer((await add_user(pool, paris_layers["slug"], "coordinator", "HQ"))["token"])
    url = f"/api/campaigns/{paris_layers['slug']}"
    r = await client.get(
        f"{url}/priorities", headers=hq, params={"camp": CAMP, "election": ELECTION, "factor": "green:250", "limit": 5}
    )
    assert r.status_code == 200, r.text
    body = r.json()
    top = body["stations"][0]
    c = top["components"]
    assert top["score"] == pytest.approx(c["base"] * c["share_beyond_green_250m"] * c["canvassing"])
    assert any("farther than 250 m from green" in x for x in top["reasons"])
    bad = await client.get(f"{url}/priorities", headers=hq, params={"camp": CAMP, "factor": "green:x"})
    assert bad.status_code == 422 and "LAYER:METRES" in bad.json()["detail"]

    assert (await client.get(f"{url}/target", headers=hq)).status_code == 404
    target = {
        "election": ELECTION,
        "camp": CAMP.split(","),
        "mode": "mobilisation",
        "factors": [{"layer": "green", "metres": 250, "min_share": 0.3}],
    }
    r = await client.put(f"{url}/target", headers=hq, json=target)
    assert r.status_code == 200, r.text
    chosen = (await client.get(f"{url}/priorities", headers=hq, params={"chosen": "true", "limit": 1000})).json()
    async with pool.acquire() as c:
        values = await station_values(c, paris_layers["id"])
    assert values == {s["code"]: s["score"] for s in chosen["stations"] if s["score"] is not None}
    assert any(v == 0 for v in values.values()) and max(values.values()) > 0

    zone = await client.get(f"{url}/layers/green/zone", headers=hq, params={"metres": 250})
    assert zone.status_code == 200 and zone.json()["geometry"]["type"] in ("MultiPolygon", "Polygon")
    layers = (await client.get(f"{url}/layers", headers=hq)).json()
    assert {"green", "grid"} <= {x["name"] for x in layers}
