"""Another layer and another results form, through the CLI's field mapping only: the 2026
polling-station polygons (codes "AANN") and 2026 results given as percentages."""

from __future__ import annotations

import csv
import uuid

import orjson
import psycopg2

from server.demo import DATA
from tests.helpers.cli import run

SECTORS_2026 = DATA / "paris_municipales_2026_t1_bv_derived.geojson"
LISTS = ["pct_gregoire", "pct_dati", "pct_chikirou", "pct_bournazel", "pct_knafo", "pct_autres"]


def test_percent_results_on_2026_sectors(capsys, tmp_path, database_url):
    slug = "pct-" + uuid.uuid4().hex[:8]
    assert run(capsys, "campaign", "create", slug, "--name", "2026")[0] == 0
    code, report, err = run(
        capsys,
        "areas",
        "import",
        DATA / "paris_arrondissements.geojson",
        "--campaign",
        slug,
        "--level",
        "district",
        "--code-field",
        "c_ar",
        "--name-field",
        "l_ar",
    )
    assert code == 0, err
    code, report, err = run(
        capsys,
        "areas",
        "import",
        SECTORS_2026,
        "--campaign",
        slug,
        "--level",
        "polling_station",
        "--code-field",
        "code_bv",
    )
    assert code == 0, err
    assert report["imported"] == 903

    features = orjson.loads(SECTORS_2026.read_bytes())["features"]
    path = tmp_path / "t1.csv"
    with open(path, "w", encoding="latin-1", newline="") as f:  # a Latin-1, tab-separated export
        w = csv.writer(f, delimiter="\t")
        w.writerow(["code_bv", "inscrits", "taux_abstention", *LISTS])
        for feat in features:
            p = feat["properties"]
            w.writerow(
                [
                    p["code_bv"],
                    p["inscrits"],
                    str(p["taux_abstention"]).replace(".", ","),
                    *[str(p[name]).replace(".", ",") for name in LISTS],
                ]
            )
    code, report, err = run(
        capsys,
        "results",
        "import",
        path,
        "--campaign",
        slug,
        "--election",
        "municipales-2026-t1",
        "--code-field",
        "code_bv",
        "--registered-field",
        "inscrits",
        "--abstention-field",
        "taux_abstention",
        "--list-fields",
        ",".join(LISTS),
        "--percent",
    )
    assert code == 0, err
    assert report["imported"] == 903 and report["delimiter"] == "\t"
    assert "abstentions" in report["derived"] and "voters" in report["derived"]
    assert report["totals"]["registered"] == sum(f["properties"]["inscrits"] for f in features)
    # abstentions derived from the percentages land on the file's own counts
    with psycopg2.connect(database_url) as c, c.cursor() as cur:
        cur.execute(
            """SELECT r.code, r.abstentions, (r.lists->'pct_dati'->>'share')::float, r.lists->'pct_dati'->>'votes'
                       FROM election_results r JOIN campaigns k ON k.id = r.campaign_id WHERE k.slug = %s""",
            (slug,),
        )
        rows = {code: (abst, share, votes) for code, abst, share, votes in cur.fetchall()}
    by_code = {f["properties"]["code_bv"]: f["properties"] for f in features}
    assert all(abs(rows[c][0] - by_code[c]["abstentions"]) <= 1 for c in rows)
    assert all(abs(rows[c][1] - by_code[c]["pct_dati"] / 100) < 1e-9 for c in rows)
    assert all(rows[c][2] is None for c in rows)  # no valid-vote count in the file: no invented list counts
