"""The layer reader's refusals and point sizes, on the real Paris files (no services)."""

from __future__ import annotations

import json
import math

import orjson
import pytest

from server.errors import InvalidInput
from server.layers.reader import LayerOptions, parse_only, read_layer_file
from tests.conftest import GREEN_SPACES, GRID_200M


def test_green_spaces_are_points_with_a_radius_from_their_area():
    feats = read_layer_file(GREEN_SPACES, LayerOptions(area_field="surface_calculee_m2"))
    assert len(feats) == 1645 and {f.kind for f in feats} == {"point"}
    raw = json.loads(GREEN_SPACES.read_text())["features"]
    for f in feats[:50]:
        area = raw[f.ordinal]["properties"]["surface_calculee_m2"]
        assert f.radius_m == (pytest.approx(math.sqrt(area / math.pi)) if area else 0.0)


def test_only_keeps_the_chosen_kinds():
    feats = read_layer_file(GREEN_SPACES, LayerOptions(only=parse_only("typologie=Promenades ouvertes")))
    assert len(feats) == 563


def test_grid_values():
    feats = read_layer_file(GRID_200M, LayerOptions(value_field="men"))
    assert len(feats) == 2170 and {f.kind for f in feats} == {"polygon"}
    assert sum(f.value for f in feats) == pytest.approx(1_051_100, rel=1e-3)


def _write(tmp_path, doc) -> object:
    p = tmp_path / "layer.geojson"
    p.write_bytes(doc if isinstance(doc, bytes) else orjson.dumps(doc))
    return p


def test_refusals_name_the_feature(tmp_path):
    doc = json.loads(GREEN_SPACES.read_text())
    doc["features"] = doc["features"][:5]
    doc["features"][3]["geometry"]["coordinates"] = [652000.0, 6862000.0]  # Lambert-93
    with pytest.raises(InvalidInput, match=r"features\[3\].*not longitude/latitude"):
        read_layer_file(_write(tmp_path, doc))
    with pytest.raises(InvalidInput, match="not valid JSON"):
        read_layer_file(_write(tmp_path, GREEN_SPACES.read_bytes()[:5000]))
    with pytest.raises(InvalidInput, match="has no features"):
        read_layer_file(_write(tmp_path, {"type": "FeatureCollection", "features": []}))
    doc = json.loads(GREEN_SPACES.read_text())
    doc["features"] = doc["features"][:5]
    doc["features"][2]["properties"]["surface_calculee_m2"] = "big"
    with pytest.raises(InvalidInput, match=r"features\[2\]: 'surface_calculee_m2' is 'big'"):
        read_layer_file(_write(tmp_path, doc), LayerOptions(area_field="surface_calculee_m2"))
    doc["crs"] = {"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::2154"}}
    with pytest.raises(InvalidInput, match="not WGS84"):
        read_layer_file(_write(tmp_path, doc))
