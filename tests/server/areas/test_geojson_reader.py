"""read_area_file on the real Paris layers, and on real features broken in the ways users break them."""

from __future__ import annotations

from pathlib import Path

import orjson
import pytest
import shapely

from server.areas.geojson_reader import read_area_file
from server.errors import InvalidInput

DATA = Path(__file__).resolve().parents[3] / "data" / "paris"
ARR = DATA / "paris_arrondissements.geojson"
QU = DATA / "paris_quartiers.geojson"
SECT = DATA / "paris_secteurs_bureaux_vote_2024.geojson"
MUNI = DATA / "paris_municipales_2026_t1_bv_derived.geojson"


def load(path: Path) -> dict:
    return orjson.loads(path.read_bytes())


def write(tmp_path: Path, doc: dict, name: str = "layer.geojson") -> Path:
    out = tmp_path / name
    out.write_bytes(orjson.dumps(doc))
    return out


@pytest.mark.parametrize(
    "path, code, name, count",
    [
        (ARR, "c_ar", "l_ar", 20),
        (QU, "c_qu", "l_qu", 80),
        (SECT, "id_bv", None, 902),
    ],
)
def test_reads_real_paris_layers(path, code, name, count):
    area = read_area_file(path, code, name)
    assert len(area.features) == count
    assert area.repaired == []  # the README says 0 invalid geometries
    codes = [f.code for f in area.features]
    assert len(set(codes)) == count and all(isinstance(c, str) and c for c in codes)
    for f in area.features:
        assert f.geom.geom_type == "MultiPolygon" and f.geom.is_valid and not f.geom.has_z
        assert not f.repaired and f.repair_note is None
        minx, miny, maxx, maxy = f.geom.bounds
        assert 2.2 < minx and maxx < 2.5 and 48.8 < miny and maxy < 48.91
        assert code not in f.props and (name is None or name not in f.props)
        orjson.dumps(f.props)  # JSON-serialisable
        assert (f.name is None) == (name is None)


def test_numeric_codes_become_text_and_props_are_kept():
    area = read_area_file(ARR, "c_ar", "l_ar")
    by_code = {f.code: f for f in area.features}
    assert sorted(by_code, key=int) == [str(i) for i in range(1, 21)]
    assert by_code["10"].name == "10ème Ardt"
    assert by_code["10"].props["c_arinsee"] == 75110


def test_float_codes_and_padding_are_normalised(tmp_path):
    doc = load(ARR)
    first, second = (f["properties"]["c_ar"] for f in doc["features"][:2])
    doc["features"][0]["properties"]["c_ar"] = float(first)
    doc["features"][1]["properties"]["c_ar"] = f"  {second} "
    area = read_area_file(write(tmp_path, doc), "c_ar")
    assert [f.code for f in area.features[:2]] == [str(first), str(second)]


def test_crs84_declared_file_and_single_feature(tmp_path):
    area = read_area_file(MUNI, "code_bv")  # declares urn:ogc:def:crs:OGC:1.3:CRS84
    assert len(area.features) == 903 and area.features[0].code == "0327"
    single = load(SECT)["features"][0]
    area = read_area_file(write(tmp_path, single), "id_bv")
    assert [f.code for f in area.features] == ["1-5"]


def test_z_coordinates_are_dropped(tmp_path):
    doc = load(SECT)
    ring = doc["features"][0]["geometry"]["coordinates"][0]
    doc["features"][0]["geometry"]["coordinates"][0] = [[x, y, 35.0] for x, y in ring]
    area = read_area_file(write(tmp_path, doc), "id_bv")
    assert not area.features[0].geom.has_z


def test_broken_json_names_line_column_and_feature(tmp_path):
    raw = SECT.read_bytes()
    broken = tmp_path / "truncated.geojson"
    broken.write_bytes(raw[: len(raw) // 2])
    with pytest.raises(InvalidInput) as exc:
        read_area_file(broken, "id_bv")
    msg = exc.value.detail
    assert "not valid JSON" in msg and "line 1, column" in msg and "features[" in msg


def test_not_a_feature_collection(tmp_path):
    geometry_only = load(ARR)["features"][0]["geometry"]
    with pytest.raises(InvalidInput, match="not a GeoJSON FeatureCollection"):
        read_area_file(write(tmp_path, geometry_only), "c_ar")


def _to_lambert93_like(ring):
    # Approximate affine around Paris (2.35 E, 48.85 N) -> (652000, 6862000) with metres per
    # degree at that latitude. Only meant to produce realistic out-of-range values.
    return [[652000 + (x - 2.35) * 73_300, 6862000 + (y - 48.85) * 111_200] for x, y in ring]


def test_lambert93_coordinates_are_refused(tmp_path):
    doc = load(ARR)
    for f in doc["features"]:
        f["geometry"]["coordinates"] = [_to_lambert93_like(r) for r in f["geometry"]["coordinates"]]
    first_code = str(doc["features"][0]["properties"]["c_ar"])
    with pytest.raises(InvalidInput) as exc:
        read_area_file(write(tmp_path, doc), "c_ar")
    msg = exc.value.detail
    assert "Lambert-93" in msg and "features[0]" in msg and repr(first_code) in msg


def test_projected_crs_member_is_refused(tmp_path):
    doc = load(ARR)
    doc["crs"] = {"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::2154"}}
    with pytest.raises(InvalidInput, match="Lambert-93") as exc:
        read_area_file(write(tmp_path, doc), "c_ar")
    assert "EPSG::2154" in exc.value.detail


def test_duplicate_code_names_both_features(tmp_path):
    doc = load(SECT)
    doc["features"].append(doc["features"][5])
    code = doc["features"][5]["properties"]["id_bv"]
    with pytest.raises(InvalidInput) as exc:
        read_area_file(write(tmp_path, doc), "id_bv")
    msg = exc.value.detail
    assert "duplicate" in msg and "features[5]" in msg and "features[902]" in msg and repr(code) in msg


def test_missing_code_field_lists_properties():
    with pytest.raises(InvalidInput) as exc:
        read_area_file(SECT, "code_bv")
    msg = exc.value.detail
    assert "features[0]" in msg and "'code_bv'" in msg and "id_bv" in msg


def test_empty_code_is_refused(tmp_path):
    doc = load(SECT)
    doc["features"][3]["properties"]["id_bv"] = "   "
    with pytest.raises(InvalidInput, match=r"features\[3\].*missing or empty"):
        read_area_file(write(tmp_path, doc), "id_bv")


@pytest.mark.parametrize("kind", ["Point", "LineString", "null"])
def test_non_polygon_geometry_is_refused(tmp_path, kind):
    doc = load(SECT)
    feat = doc["features"][7]
    pt = feat["properties"]["geo_point_2d"]
    ring = feat["geometry"]["coordinates"][0]
    feat["geometry"] = {
        "Point": {"type": "Point", "coordinates": [pt["lon"], pt["lat"]]},
        "LineString": {"type": "LineString", "coordinates": ring},
        "null": None,
    }[kind]
    with pytest.raises(InvalidInput) as exc:
        read_area_file(write(tmp_path, doc), "id_bv")
    msg = exc.value.detail
    assert "features[7]" in msg and repr(feat["properties"]["id_bv"]) in msg
    assert (kind if kind != "null" else "null") in msg


def test_bowtie_is_repaired_and_reported(tmp_path):
    doc = load(SECT)
    i = 10
    feat = doc["features"][i]
    ring = feat["geometry"]["coordinates"][0]
    original = shapely.Polygon(ring)
    # Swap two neighbouring vertices halfway round the ring: the edges cross (a bowtie twist).
    k = len(ring) // 2
    ring[k], ring[k + 1] = ring[k + 1], ring[k]
    assert not shapely.Polygon(ring).is_valid  # the test input really is broken

    area = read_area_file(write(tmp_path, doc), "id_bv")
    fixed = area.features[i]
    assert area.repaired == [fixed]
    assert fixed.repaired and "Self-intersection" in fixed.repair_note
    assert fixed.geom.geom_type == "MultiPolygon" and fixed.geom.is_valid
    assert fixed.geom.area == pytest.approx(original.area, rel=0.05)
    assert all(not f.repaired for j, f in enumerate(area.features) if j != i)


def test_repair_leaving_no_area_is_refused(tmp_path):
    doc = load(SECT)
    ring = doc["features"][2]["geometry"]["coordinates"][0]
    # Out and back along the same real edges: a closed ring with zero area.
    doc["features"][2]["geometry"]["coordinates"] = [ring[:3] + ring[1::-1]]
    with pytest.raises(InvalidInput, match=r"features\[2\].*no area"):
        read_area_file(write(tmp_path, doc), "id_bv")
