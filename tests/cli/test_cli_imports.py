"""The `quadriller` command on real Paris files: good imports, and bad files that each give their
documented error and leave the database exactly as it was."""

from __future__ import annotations

import csv
import hashlib
import uuid

import orjson
import psycopg2
import pytest

from server.demo import DATA, european_list_fields
from tests.helpers.cli import run, run_uncaptured

SECTORS = DATA / "paris_secteurs_bureaux_vote_2024.geojson"
RESULTS = DATA / "paris_europeennes_2024_resultats_bv.csv"


def snapshot(database_url: str, slug: str) -> str:
    """A digest of everything stored for a campaign."""
    with psycopg2.connect(database_url) as c, c.cursor() as cur:
        cur.execute(
            """SELECT a.level, a.code, a.name, md5(ST_AsBinary(a.geom)), a.props::text
                       FROM areas a JOIN campaigns k ON k.id = a.campaign_id WHERE k.slug = %s
                       ORDER BY 1, 2""",
            (slug,),
        )
        areas = cur.fetchall()
        cur.execute(
            """SELECT r.election, r.code, r.registered, r.voters, r.abstentions, r.valid_votes,
                              r.lists::text, r.derived, r.imported_at
                       FROM election_results r JOIN campaigns k ON k.id = r.campaign_id
                       WHERE k.slug = %s ORDER BY r.election, r.code""",
            (slug,),
        )
        results = cur.fetchall()
        cur.execute(
            """SELECT count(*) FROM area_overlaps o JOIN areas a ON a.id = o.child_id
                       JOIN campaigns k ON k.id = a.campaign_id WHERE k.slug = %s""",
            (slug,),
        )
        overlaps = cur.fetchone()
    return hashlib.sha256(repr((areas, results, overlaps)).encode()).hexdigest()


def import_sectors_and_results(run_cli) -> str:
    """A campaign with the Paris sectors and European results imported through the CLI (`run_cli`:
    argv -> (code, JSON answer, stderr))."""
    slug = "cli-" + uuid.uuid4().hex[:10]
    assert run_cli("campaign", "create", slug, "--name", "CLI test")[0] == 0
    code, report, _ = run_cli(
        "areas", "import", SECTORS, "--campaign", slug, "--level", "polling_station", "--code-field", "id_bv"
    )
    assert code == 0 and report["imported"] == 902
    code, report, _ = run_cli(
        "results",
        "import",
        RESULTS,
        "--campaign",
        slug,
        "--election",
        "eu2024",
        "--code-field",
        "id_bv",
        "--registered-field",
        "nb_inscr",
        "--voters-field",
        "nb_votant",
        "--valid-field",
        "nb_exprim",
        "--list-fields",
        ",".join(european_list_fields()),
    )
    assert code == 0, report
    assert report["imported"] == 902 and report["totals"]["registered"] == 1_378_929
    return slug


@pytest.fixture(scope="module")
def imported(database_url):
    """Shared by the tests that only read it or are refused (each checks that nothing changed)."""
    return import_sectors_and_results(run_uncaptured)


@pytest.fixture
def own_imported(capsys, database_url):
    """The same, for a test that changes what was imported."""
    return import_sectors_and_results(lambda *argv: run(capsys, *argv))


def features() -> list[dict]:
    return orjson.loads(SECTORS.read_bytes())["features"]


def write(tmp_path, name: str, obj) -> str:
    path = tmp_path / name
    path.write_bytes(obj if isinstance(obj, bytes) else orjson.dumps(obj))
    return str(path)


def refused(capsys, database_url, slug, argv, *needles):
    before = snapshot(database_url, slug)
    code, out, err = run(capsys, *argv)
    assert code == 2, (out, err)
    for needle in needles:
        assert needle.lower() in err.lower(), err
    assert snapshot(database_url, slug) == before
    return err


def test_broken_json(capsys, database_url, imported, tmp_path):
    path = write(tmp_path, "broken.geojson", SECTORS.read_bytes()[:50_000])
    refused(
        capsys,
        database_url,
        imported,
        ["areas", "import", path, "--campaign", imported, "--level", "polling_station", "--code-field", "id_bv"],
        "json",
    )


def test_lambert93_coordinates(capsys, database_url, imported, tmp_path):
    fc = {"type": "FeatureCollection", "features": features()[:30]}
    for f in fc["features"]:
        for ring in f["geometry"]["coordinates"]:
            # an approximate Lambert-93 (metres) for Paris: what a wrong export looks like
            ring[:] = [[652_000 + (x - 2.35) * 73_000, 6_862_000 + (y - 48.85) * 111_000] for x, y in ring]
    path = write(tmp_path, "l93.geojson", fc)
    err = refused(
        capsys,
        database_url,
        imported,
        ["areas", "import", path, "--campaign", imported, "--level", "polling_station", "--code-field", "id_bv"],
        fc["features"][0]["properties"]["id_bv"],
    )
    assert "wgs84" in err.lower() or "lambert" in err.lower()


def test_duplicate_codes(capsys, database_url, imported, tmp_path):
    feats = features()
    path = write(tmp_path, "dup.geojson", {"type": "FeatureCollection", "features": feats + [feats[10]]})
    refused(
        capsys,
        database_url,
        imported,
        ["areas", "import", path, "--campaign", imported, "--level", "polling_station", "--code-field", "id_bv"],
        "duplicate",
        feats[10]["properties"]["id_bv"],
    )


def test_missing_code_field(capsys, database_url, imported):
    refused(
        capsys,
        database_url,
        imported,
        ["areas", "import", SECTORS, "--campaign", imported, "--level", "polling_station", "--code-field", "nope"],
        "nope",
    )


def test_self_intersecting_polygon_is_repaired_and_reported(capsys, database_url, tmp_path):
    slug = "cli-" + uuid.uuid4().hex[:10]
    run(capsys, "campaign", "create", slug, "--name", "bowtie")
    feats = features()[:40]
    ring = feats[5]["geometry"]["coordinates"][0]
    mid = len(ring) // 2
    ring[1], ring[mid] = ring[mid], ring[1]  # swap two far vertices: the ring now crosses itself
    bad = feats[5]["properties"]["id_bv"]
    path = write(tmp_path, "bowtie.geojson", {"type": "FeatureCollection", "features": feats})
    code, report, err = run(
        capsys, "areas", "import", path, "--campaign", slug, "--level", "polling_station", "--code-field", "id_bv"
    )
    assert code == 0, err
    assert report["imported"] == 40
    assert [r["code"] for r in report["repaired"]] == [bad]
    assert bad in err and "repaired" in err
    with psycopg2.connect(database_url) as c, c.cursor() as cur:
        cur.execute(
            """SELECT bool_and(ST_IsValid(geom)), count(*) FILTER (WHERE repaired)
                       FROM areas a JOIN campaigns k ON k.id = a.campaign_id WHERE k.slug = %s""",
            (slug,),
        )
        assert cur.fetchone() == (True, 1)


def test_results_with_unknown_codes_are_refused(capsys, database_url, own_imported, tmp_path):
    imported = own_imported
    with open(RESULTS, encoding="utf-8-sig", newline="") as f:
        rows = list(csv.reader(f, delimiter=";"))
    rows[5][1] = "99-999"
    rows[6][1] = "nowhere"
    path = tmp_path / "unknown.csv"
    with open(path, "w", encoding="utf-8", newline="") as f:
        csv.writer(f, delimiter=";").writerows(rows)
    argv = [
        "results",
        "import",
        path,
        "--campaign",
        imported,
        "--election",
        "eu2024",
        "--code-field",
        "id_bv",
        "--registered-field",
        "nb_inscr",
        "--voters-field",
        "nb_votant",
        "--valid-field",
        "nb_exprim",
        "--list-fields",
        ",".join(european_list_fields()),
    ]
    err = refused(capsys, database_url, imported, argv, "99-999", "nowhere", "2 rows")
    # with --skip-unknown the others go in and the unknown ones are still reported
    code, report, err = run(capsys, *argv, "--skip-unknown")
    assert code == 0
    assert report["imported"] == 900
    assert {u["code"] for u in report["unknown_codes"]} == {"99-999", "nowhere"}
    assert "99-999" in err


def test_locate_prints_json(capsys, imported):
    code, out, _ = run(capsys, "locate", "--campaign", imported, "2.3522", "48.8566")
    assert code == 0
    assert out["polling_station"]["code"].startswith("4-")
    assert out["district"] is None  # only the polling-station level was imported here
    code, out, _ = run(capsys, "locate", "--campaign", imported, "4.8357", "45.7640")  # Lyon
    assert code == 0 and out["polling_station"] is None


def test_users_add_stores_only_a_hash(capsys, database_url):
    slug = "cli-" + uuid.uuid4().hex[:10]
    assert run(capsys, "campaign", "create", slug, "--name", "users")[0] == 0
    code, out, _ = run(capsys, "users", "add", "--campaign", slug, "--role", "coordinator", "--name", "Ana")
    assert code == 0 and out["token"] and out["login"]
    with psycopg2.connect(database_url) as c, c.cursor() as cur:
        cur.execute("SELECT encode(token_hash, 'hex') FROM users WHERE login = %s", (out["login"],))
        stored = cur.fetchone()[0]
        assert stored == hashlib.sha256(out["token"].encode()).hexdigest()
        cur.execute("SELECT count(*) FROM users WHERE position(%s::bytea in token_hash) > 0", (out["token"].encode(),))
        assert cur.fetchone()[0] == 0


def test_unknown_campaign(capsys):
    code, _, err = run(capsys, "locate", "--campaign", "no-such-campaign", "2.35", "48.85")
    assert code == 2 and "no-such-campaign" in err
