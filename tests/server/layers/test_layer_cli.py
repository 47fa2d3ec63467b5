"""`quadriller layers import|zone` through the command line: JSON out, exit 2 naming the feature,
and a refused file leaves the stored layer as it was."""

from __future__ import annotations

import json

from server.cli import main as cli_main
from tests.conftest import GREEN_SPACES


def run(capsys, *argv) -> tuple[int, str, str]:
    code = cli_main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


def test_import_refuses_a_projected_feature_and_keeps_the_layer(capsys, tmp_path, paris_layers):
    slug = paris_layers["slug"]
    doc = json.loads(GREEN_SPACES.read_text())
    doc["features"][7]["geometry"]["coordinates"] = [652000.0, 6862000.0]
    bad = tmp_path / "parks.geojson"
    bad.write_text(json.dumps(doc))
    code, out, err = run(capsys, "layers", "import", bad, "--campaign", slug, "--name", "green")
    assert code == 2 and "features[7]" in err and "not longitude/latitude" in err and err.count("\n") == 1
    code, out, err = run(capsys, "layers", "zone", "--campaign", slug, "--layer", "green", "--metres", "250")
    assert code == 0, err
    stations = json.loads(out)["stations"]
    assert len(stations) == 902  # the stored layer is untouched


def test_import_a_small_layer(capsys, tmp_path, paris_layers):
    doc = json.loads(GREEN_SPACES.read_text())
    doc["features"] = [f for f in doc["features"] if f["properties"]["categorie"] == "Parc"]
    path = tmp_path / "parcs.geojson"
    path.write_text(json.dumps(doc))
    code, out, err = run(
        capsys,
        "layers",
        "import",
        path,
        "--campaign",
        paris_layers["slug"],
        "--name",
        "parcs",
        "--area-field",
        "surface_calculee_m2",
    )
    assert code == 0, err
    report = json.loads(out)
    assert report["features"] == len(doc["features"]) > 5 and report["kinds"] == ["point"]
    code, _, err = run(
        capsys, "layers", "zone", "--campaign", paris_layers["slug"], "--layer", "parcs", "--metres", "-5"
    )
    assert code == 2 and "0 to 50,000" in err
