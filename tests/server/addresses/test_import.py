"""Address import on the real Paris address base (BAN): every point stored and located in its
polling station (cross-checked against the file's own sector column), any city's columns through
the field mapping, and bad files refused with the line and the reason, leaving stored addresses
exactly as they were."""

from __future__ import annotations

import csv
import gzip
import hashlib
import io
import json
import uuid
from pathlib import Path

import orjson
import psycopg2
import pytest

from server.cli import main as cli
from server.demo import ADDRESSES, DATA, LAYERS

BAN = DATA / ADDRESSES
SECTORS = DATA / LAYERS[2][1]


def ban_rows() -> list[dict]:
    with gzip.open(BAN, "rt", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def query(database_url: str, statement: str, *args) -> list[tuple]:
    with psycopg2.connect(database_url) as c, c.cursor() as cur:
        cur.execute(statement, args)
        return cur.fetchall()


def digest(database_url: str, slug: str) -> str:
    rows = query(
        database_url,
        "SELECT ext_id, number, street, postcode, ST_AsText(geom), polling_station_id "
        "FROM addresses ad JOIN campaigns k ON k.id = ad.campaign_id WHERE k.slug = %s "
        "ORDER BY ext_id",
        slug,
    )
    return hashlib.sha256(repr(rows).encode()).hexdigest()


def sectors_of(arrondissement: int, tmp_path) -> Path:
    """The real polling stations of one arrondissement, as a GeoJSON file of their own."""
    features = orjson.loads(SECTORS.read_bytes())["features"]
    kept = [f for f in features if f["properties"]["arrondissement_bv"] == arrondissement]
    path = tmp_path / f"sectors-{arrondissement}.geojson"
    path.write_bytes(orjson.dumps({"type": "FeatureCollection", "features": kept}))
    return path


def campaign_with_stations(capsys, sectors: Path = SECTORS) -> str:
    """A fresh campaign with the Paris polling stations (or those of `sectors`: the addresses of
    one arrondissement need only its stations), made through the CLI (the CLI runs its own event
    loop, so these tests are synchronous)."""
    slug = "addr-" + uuid.uuid4().hex[:10]
    assert cli(["campaign", "create", slug, "--name", "addresses"]) == 0
    assert (
        cli(
            ["areas", "import", str(sectors), "--campaign", slug, "--level", "polling_station", "--code-field", "id_bv"]
        )
        == 0
    )
    capsys.readouterr()
    return slug


def write_other_city_file(path, rows: list[dict]) -> None:
    """Real Paris rows as another city's export might give them: other column names, `;`,
    Latin-1, the suffix already in its own column, and the coordinates last."""
    out = io.StringIO()
    w = csv.writer(out, delimiter=";", lineterminator="\r\n")
    w.writerow(["cle", "voie", "numero_voie", "indice", "cp", "latitude", "longitude"])
    for r in rows:
        w.writerow([r["id"], r["nom_voie"], r["numero"], r["rep"], r["code_postal"], r["lat"], r["lon"]])
    path.write_bytes(out.getvalue().encode("latin-1"))


async def test_paris_addresses_are_located_in_their_polling_station(paris, pool):
    rows = ban_rows()
    sector_of = {r["id"]: r["id_bv"] for r in rows}
    async with pool.acquire() as c:
        stored = await c.fetch(
            "SELECT ad.ext_id, a.code FROM addresses ad LEFT JOIN areas a "
            "ON a.id = ad.polling_station_id WHERE ad.campaign_id = $1",
            paris["id"],
        )
    assert len(stored) == len(rows) == 158_048
    located = [r for r in stored if r["code"] is not None]
    # the file's README: 156,964 points (99.31 %) fall inside a 2024 sector; the rest are the Bois
    assert len(located) / len(stored) > 0.99
    agree = sum(sector_of[r["ext_id"]] == r["code"] for r in located)
    assert agree / len(located) > 0.999  # our location agrees with the file's own join


def test_other_city_columns_through_the_cli(database_url, tmp_path, capsys):
    sectors = sectors_of(18, tmp_path)
    slug = campaign_with_stations(capsys, sectors)
    rows = [r for r in ban_rows() if r["code_insee"] == "75118"][:500]
    assert any(r["rep"] for r in rows) and any(any(ch in r["nom_voie"] for ch in "éèêàç") for r in rows)
    path = tmp_path / "adresses-latin1.csv"
    write_other_city_file(path, rows)
    code = cli(
        [
            "addresses",
            "import",
            str(path),
            "--campaign",
            slug,
            "--id-field",
            "cle",
            "--number-field",
            "numero_voie",
            "--suffix-field",
            "indice",
            "--street-field",
            "voie",
            "--postcode-field",
            "cp",
            "--lon-field",
            "longitude",
            "--lat-field",
            "latitude",
        ]
    )
    report = json.loads(capsys.readouterr().out)
    assert code == 0
    assert (report["imported"], report["replaced"], report["delimiter"], report["encoding"]) == (500, 0, ";", "latin-1")
    assert report["located"] + report["unlocated"] == 500 and report["located"] >= 495
    got = {
        ext: (number, street, lon)
        for ext, number, street, lon in query(
            database_url,
            "SELECT ext_id, number, street, ST_X(geom) FROM addresses ad JOIN campaigns k "
            "ON k.id = ad.campaign_id WHERE k.slug = %s",
            slug,
        )
    }
    for r in rows:  # accents survived Latin-1, suffixes joined the number, coordinates not swapped
        number, street, lon = got[r["id"]]
        assert street == r["nom_voie"] and number == f"{r['numero']} {r['rep']}".strip()
        assert lon == pytest.approx(float(r["lon"]))

    # the stations imported again: their addresses follow them
    assert (
        cli(
            ["areas", "import", str(sectors), "--campaign", slug, "--level", "polling_station", "--code-field", "id_bv"]
        )
        == 0
    )
    located = query(
        database_url,
        "SELECT count(polling_station_id) FROM addresses ad JOIN campaigns k "
        "ON k.id = ad.campaign_id WHERE k.slug = %s",
        slug,
    )[0][0]
    assert located == report["located"]


BAD = {
    "bad_lon": (lambda rows: [{**rows[0], "lon": "2,35E"}] + rows[1:], "line 2", "not a WGS84"),
    "lat_out_of_range": (lambda rows: rows[:3] + [{**rows[3], "lat": "248.86"}], "line 5", "not a WGS84"),
    "duplicate_id": (lambda rows: rows + [rows[1]], "already on line 3", "line 22"),
    "empty_street": (lambda rows: rows[:7] + [{**rows[7], "nom_voie": "  "}] + rows[8:], "line 9", "empty 'nom_voie'"),
}


@pytest.mark.parametrize("case", sorted(BAD))
def test_bad_files_are_refused_and_change_nothing(case, database_url, tmp_path, capsys):
    slug = campaign_with_stations(capsys, sectors_of(4, tmp_path))
    rows = [r for r in ban_rows() if r["code_insee"] == "75104"][:20]
    good = tmp_path / "good.csv"
    _write(good, rows)
    base = ["addresses", "import", "--campaign", slug, *_mapping()]
    assert cli([base[0], base[1], str(good), *base[2:]]) == 0
    capsys.readouterr()
    before = digest(database_url, slug)

    change, *expected = BAD[case]
    bad = tmp_path / f"{case}.csv"
    _write(bad, change(rows))
    assert cli([base[0], base[1], str(bad), *base[2:]]) == 2
    err = capsys.readouterr().err
    assert all(e in err for e in expected), err
    assert digest(database_url, slug) == before


def test_files_that_are_not_address_csvs(database_url, tmp_path, capsys):
    base = ["--campaign", campaign_with_stations(capsys, sectors_of(4, tmp_path)), *_mapping()]
    missing = tmp_path / "missing.csv"
    missing.write_text("id,numero,nom_voie,lon\n1,2,Rue X,2.3\n", encoding="utf-8")
    assert cli(["addresses", "import", str(missing), *base]) == 2
    err = capsys.readouterr().err
    assert "no column 'lat'" in err and "available columns: id, numero, nom_voie, lon" in err
    binary = tmp_path / "photo.csv"
    binary.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" * 10)
    assert cli(["addresses", "import", str(binary), *base]) == 2
    assert "not a text (CSV) file" in capsys.readouterr().err
    broken = tmp_path / "cut.csv.gz"
    broken.write_bytes(BAN.read_bytes()[:5000])
    assert cli(["addresses", "import", str(broken), *base]) == 2
    assert "gzip" in capsys.readouterr().err


def _mapping() -> list[str]:
    return [
        "--id-field",
        "id",
        "--number-field",
        "numero",
        "--suffix-field",
        "rep",
        "--street-field",
        "nom_voie",
        "--postcode-field",
        "code_postal",
        "--lon-field",
        "lon",
        "--lat-field",
        "lat",
    ]


def _write(path, rows: list[dict]) -> None:
    with path.open("w", encoding="utf-8", newline="") as f:
        w = csv.DictWriter(f, fieldnames=list(rows[0]))
        w.writeheader()
        w.writerows(rows)
