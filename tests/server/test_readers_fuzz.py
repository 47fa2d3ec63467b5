"""hypothesis on the readers of untrusted files: results CSV, addresses CSV, areas GeoJSON.

Properties: any bytes are either read or refused with InvalidInput (a reason naming the file,
line or feature), never another exception; a valid file round-trips. Pure: no services."""

from __future__ import annotations

import csv
import io
import tempfile
from pathlib import Path

import orjson
from hypothesis import given, settings
from hypothesis import strategies as st

from server.addresses.reader import read_address_file
from server.areas.geojson_reader import read_area_file
from server.errors import InvalidInput
from server.results.csv_reader import read_results_csv

EXAMPLES = 150  # per property; docs/benchmarks.md reports a run


def _file(data: bytes, suffix: str) -> Path:
    f = tempfile.NamedTemporaryFile(suffix=suffix, delete=False)
    f.write(data)
    f.close()
    return Path(f.name)


def read_or_refuse(read, data: bytes, suffix: str, **kw):
    path = _file(data, suffix)
    try:
        return read(path, **kw)
    except InvalidInput as exc:
        assert exc.detail
        return None
    finally:
        path.unlink()


cells = st.text(st.characters(blacklist_categories=("Cs",)), max_size=8)
csv_like = st.lists(st.lists(cells, min_size=1, max_size=5), max_size=6).map(
    lambda rows: "\n".join(";".join(r) for r in rows).encode()
) | st.binary(max_size=200)
RESULTS = dict(code_field="code", registered_field="inscrits", voters_field="votants", list_fields=["A", "B"])


@settings(max_examples=EXAMPLES, deadline=None)
@given(st.sampled_from([b"", b"code;inscrits;votants;A;B\n", b"\xef\xbb\xbfcode,inscrits,votants,A,B\r\n"]), csv_like)
def test_results_csv_any_bytes(header, body):
    read_or_refuse(read_results_csv, header + body, ".csv", **RESULTS)


@settings(max_examples=EXAMPLES, deadline=None)
@given(
    st.lists(st.tuples(st.integers(0, 5000), st.integers(0, 5000), st.integers(0, 5000)), min_size=1, max_size=20),
    st.sampled_from([";", ",", "\t"]),
)
def test_results_csv_round_trips(rows, delimiter):
    out = io.StringIO()
    w = csv.writer(out, delimiter=delimiter, lineterminator="\n")
    w.writerow(["code", "inscrits", "votants", "A", "B"])
    for i, (a, b, extra) in enumerate(rows):
        w.writerow([f"S{i}", a + b + extra, a + b, a, b])
    got = read_results_csv(_file(out.getvalue().encode(), ".csv"), **RESULTS)
    assert [(r.code, r.registered, r.voters) for r in got.rows] == [
        (f"S{i}", a + b + e, a + b) for i, (a, b, e) in enumerate(rows)
    ]
    assert [r.lists["A"]["votes"] for r in got.rows] == [a for a, _, _ in rows]


ADDRESSES = dict(id_field="id", number_field="numero", street_field="voie", lon_field="lon", lat_field="lat")


@settings(max_examples=EXAMPLES, deadline=None)
@given(st.sampled_from([b"", b"id;numero;voie;lon;lat\n"]), csv_like)
def test_address_csv_any_bytes(header, body):
    read_or_refuse(read_address_file, header + body, ".csv", **ADDRESSES)


json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-(2**63), 2**63 - 1)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=8),
    lambda inner: (
        st.lists(inner, max_size=4)
        | st.dictionaries(
            st.sampled_from(["type", "features", "geometry", "properties", "coordinates", "code", "crs"]),
            inner,
            max_size=4,
        )
    ),
    max_leaves=30,
)


@settings(max_examples=EXAMPLES, deadline=None)
@given(
    json_values
    | st.fixed_dictionaries(
        {
            "type": st.just("FeatureCollection"),
            "features": st.lists(
                st.fixed_dictionaries({"type": st.just("Feature"), "properties": json_values, "geometry": json_values}),
                max_size=3,
            ),
        }
    )
)
def test_geojson_any_document(doc):
    read_or_refuse(read_area_file, orjson.dumps(doc), ".geojson", code_field="code")


@settings(max_examples=EXAMPLES, deadline=None)
@given(st.binary(max_size=200))
def test_geojson_any_bytes(data):
    read_or_refuse(read_area_file, data, ".geojson", code_field="code")


@settings(max_examples=EXAMPLES, deadline=None)
@given(st.lists(st.tuples(st.floats(-170, 170), st.floats(-80, 80), st.floats(0.001, 5)), min_size=1, max_size=8))
def test_geojson_squares_round_trip(squares):
    features = [
        {
            "type": "Feature",
            "properties": {"code": f"Z{i}", "n": i},
            "geometry": {"type": "Polygon", "coordinates": [[[x, y], [x + s, y], [x + s, y + s], [x, y + s], [x, y]]]},
        }
        for i, (x, y, s) in enumerate(squares)
    ]
    got = read_area_file(
        _file(orjson.dumps({"type": "FeatureCollection", "features": features}), ".geojson"), code_field="code"
    )
    assert [f.code for f in got.features] == [f"Z{i}" for i in range(len(squares))]
    for f, (x, y, s) in zip(got.features, squares):
        assert abs(f.geom.area - s * s) < 1e-6 * max(1.0, s * s)
