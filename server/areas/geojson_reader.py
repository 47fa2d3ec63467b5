"""Parse an area layer (GeoJSON polygons in WGS84) into validated MultiPolygons.

Pure parsing: reads one file, returns plain objects, raises `InvalidInput` with a message that
names the offending feature as `features[i]` (0-based, as in `jq '.features[i]'`) and its code.
The database half (SQL, transactions) lives elsewhere and consumes `AreaFile`.

Why the shape of this code:
* orjson parses the whole file once (3-5x faster than `json`), and we drop each raw feature as
  soon as it has been converted, so peak memory is roughly the raw dicts of one file, not two
  copies of it (a national file has ~69,000 polygons).
* Geometries are built from numpy arrays with the vectorised `shapely.linearrings/polygons`
  constructors instead of `shapely.geometry.shape()`, which walks coordinates in Python.
* Validity is checked in one vectorised `shapely.is_valid` call over all features; only the
  (rare) invalid ones are repaired one by one.
"""

from __future__ import annotations

import gc
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import orjson
import shapely
from shapely.errors import GEOSException

from server.errors import InvalidInput

# `crs` members we accept as "longitude/latitude WGS84". GeoJSON (RFC 7946) dropped `crs`, but
# QGIS / ogr2ogr exports still write it, and a Lambert-93 export names EPSG:2154 there.
_WGS84_CRS = re.compile(r"(CRS:?84|EPSG:+4326|EPSG/0/4326|WGS ?84)$", re.IGNORECASE)
PROJECTED_HINT = "looks like projected coordinates (Lambert-93?); reproject to WGS84 (EPSG:4326) first"


@dataclass
class AreaFeature:
    code: str
    name: str | None
    geom: shapely.MultiPolygon
    props: dict  # every other property, untouched (already JSON types: orjson produced them)
    repaired: bool = False
    repair_note: str | None = None


@dataclass
class AreaFile:
    features: list[AreaFeature]
    repaired: list[AreaFeature] = field(default_factory=list)  # subset of `features`


def as_code(value: Any) -> str | None:
    """Codes are compared as trimmed text; JSON numbers become their integer text when whole
    (1 and 1.0 -> "1") because spreadsheets and GIS tools flip between int and float freely."""
    if value is None or isinstance(value, bool):  # a boolean is never a meaningful code
        return None
    if isinstance(value, float):
        value = int(value) if value.is_integer() else value
    if isinstance(value, (int, float, str)):
        text = str(value).strip()
        return text or None
    return None  # lists / objects are not codes


def _label(i: int, code: str | None) -> str:
    return f"features[{i}] (code {code!r})" if code else f"features[{i}]"


def _rings_to_polygon(rings: Any, where: str) -> shapely.Polygon:
    """One GeoJSON polygon (list of rings) -> shapely Polygon, 2D, after a range check."""
    if not isinstance(rings, list) or not rings:
        raise InvalidInput(f"{where}: polygon has no rings")
    built = []
    for ring in rings:
        try:
            arr = np.asarray(ring, dtype=np.float64)
        except (TypeError, ValueError):
            raise InvalidInput(f"{where}: coordinates are not arrays of numbers") from None
        if arr.ndim != 2 or arr.shape[1] < 2:
            raise InvalidInput(f"{where}: coordinates are not [lon, lat] positions")
        arr = arr[:, :2]  # drop Z/M: areas are flat and the database column is 2D
        if not np.isfinite(arr).all():
            raise InvalidInput(f"{where}: coordinates contain non-finite numbers")
        # Out-of-range values are the signature of a projected file (Lambert-93 is ~600000,
        # 6860000); reading them as degrees would silently put areas nowhere.
        if np.abs(arr[:, 0]).max() > 180 or np.abs(arr[:, 1]).max() > 90:
            x, y = arr[0]
            raise InvalidInput(f"{where}: coordinate ({x:.10g}, {y:.10g}) is not longitude/latitude; " + PROJECTED_HINT)
        try:
            built.append(shapely.linearrings(arr))
        except (ValueError, GEOSException) as exc:
            raise InvalidInput(f"{where}: invalid ring ({exc})") from None
    return shapely.polygons(built[0], holes=built[1:] or None)


def _to_multipolygon(geometry: Any, where: str) -> shapely.MultiPolygon:
    if not isinstance(geometry, dict) or geometry.get("type") is None:
        raise InvalidInput(f"{where}: geometry is null; expected Polygon or MultiPolygon")
    gtype = geometry["type"]
    coords = geometry.get("coordinates")
    if gtype == "Polygon":
        parts = [_rings_to_polygon(coords, where)]
    elif gtype == "MultiPolygon":
        if not isinstance(coords, list) or not coords:
            raise InvalidInput(f"{where}: MultiPolygon has no polygons")
        parts = [_rings_to_polygon(p, where) for p in coords]
    else:
        raise InvalidInput(f"{where}: geometry is a {gtype}; expected Polygon or MultiPolygon")
    return shapely.MultiPolygon(parts)


def _polygonal_parts(geom: shapely.Geometry) -> shapely.MultiPolygon:
    """make_valid may return a (nested) GeometryCollection holding collapsed lines or points
    next to the polygons: keep only the polygons, since an area layer is surfaces."""
    polys, stack = [], [geom]
    while stack:
        g = stack.pop()
        if g.geom_type == "Polygon":
            if not g.is_empty:
                polys.append(g)
        elif hasattr(g, "geoms"):
            stack.extend(reversed(list(g.geoms)))  # reversed: keep the parts in input order
    return shapely.MultiPolygon(polys)


def _repair(geom: shapely.MultiPolygon, where: str) -> tuple[shapely.MultiPolygon, str]:
    reason = shapely.is_valid_reason(geom)
    # 'structure' keeps the area the author drew (a bowtie stays two triangles) instead of
    # 'linework', which can turn overlapping parts into holes.
    fixed = shapely.make_valid(geom, method="structure", keep_collapsed=False)
    fixed = _polygonal_parts(fixed)
    if fixed.is_empty or fixed.area == 0:
        raise InvalidInput(f"{where}: invalid polygon ({reason}) and repairing it leaves no area")
    return fixed, reason


def check_crs(doc: dict, path: Path) -> None:
    crs = doc.get("crs")
    if not crs:
        return  # RFC 7946: no crs member means WGS84
    name = (crs.get("properties") or {}).get("name") if isinstance(crs, dict) else None
    if not isinstance(name, str) or not _WGS84_CRS.search(name.strip()):
        raise InvalidInput(
            f"{path.name}: declares crs {name or crs!r}, not WGS84 (CRS84/EPSG:4326): " + PROJECTED_HINT,
            crs=str(name or crs),
        )


def _feature_hint(raw: bytes, pos: int) -> str:
    """On broken JSON, say roughly which feature it was in: a national file is often one line,
    so 'line 1 column 48213377' alone does not help anyone find the problem."""
    n = len(re.findall(rb'"Feature"', raw[:pos]))
    return f", inside features[{n - 1}]" if n else ""


def load_geojson(path: Path, allow_nan: bool = False) -> dict:
    """The parsed file. `allow_nan`: read the bare NaN / Infinity that pandas and Python's json
    write (not JSON, but common in data exports) as null, instead of refusing the file."""
    raw = path.read_bytes()
    if raw.startswith(b"\xef\xbb\xbf"):  # orjson refuses a BOM, Windows tools write one
        raw = raw[3:]
    try:
        doc = orjson.loads(raw)
    except orjson.JSONDecodeError as exc:
        if allow_nan:
            import json

            try:
                return json.loads(raw, parse_constant=lambda _: None)
            except ValueError:
                pass
        raise InvalidInput(
            f"{path.name} is not valid JSON: {exc.msg} at line {exc.lineno}, column {exc.colno}"
            f"{_feature_hint(raw, exc.pos)}",
            line=exc.lineno,
            column=exc.colno,
        ) from None
    return doc


def read_area_file(path, code_field: str, name_field: str | None = None) -> AreaFile:
    """Read a GeoJSON FeatureCollection (or single Feature) of WGS84 polygons.

    Returns one `AreaFeature` per input feature, in file order, with a 2D MultiPolygon; invalid
    polygons are repaired with `shapely.make_valid` and also listed in `AreaFile.repaired`.
    `props` holds every property except `code_field` and `name_field`.
    """
    # The cyclic GC rescans the millions of lists/floats orjson allocates, over and over, and
    # they cannot form cycles: pausing it halves the time on a national file (5.5 s -> 2.4 s).
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        return _read(Path(path), code_field, name_field)
    finally:
        if was_enabled:
            gc.enable()


def read_features(path: Path, allow_nan: bool = False) -> list:
    """The raw features of a GeoJSON FeatureCollection (or single Feature) in WGS84, refusing broken
    JSON, a projected CRS and an empty collection; shared by the area and layer readers."""
    doc = load_geojson(path, allow_nan)
    if isinstance(doc, dict) and doc.get("type") == "Feature":
        doc = {"type": "FeatureCollection", "features": [doc], "crs": doc.get("crs")}
    if not isinstance(doc, dict) or doc.get("type") != "FeatureCollection":
        found = doc.get("type") if isinstance(doc, dict) else type(doc).__name__
        raise InvalidInput(f"{path.name} is not a GeoJSON FeatureCollection (found {found!r})")
    check_crs(doc, path)
    features = doc.get("features")
    if not isinstance(features, list) or not features:
        raise InvalidInput(f"{path.name}: the FeatureCollection has no features")
    return features


def _read(path: Path, code_field: str, name_field: str | None) -> AreaFile:
    raw_features = read_features(path)

    features: list[AreaFeature] = []
    seen: dict[str, int] = {}
    for i, feat in enumerate(raw_features):
        raw_features[i] = None  # release the raw coordinates as we go (memory on big files)
        if not isinstance(feat, dict) or feat.get("type") != "Feature":
            raise InvalidInput(f"features[{i}] is not a GeoJSON Feature")
        props = feat.get("properties") or {}
        if not isinstance(props, dict):
            raise InvalidInput(f"features[{i}]: properties is not an object")
        if code_field not in props:
            available = ", ".join(sorted(props)) or "none"
            raise InvalidInput(
                f"features[{i}] has no {code_field!r} property (available properties: {available})", field=code_field
            )
        code = as_code(props.pop(code_field))
        if code is None:
            raise InvalidInput(f"features[{i}]: {code_field!r} is missing or empty")
        where = _label(i, code)
        if code in seen:
            raise InvalidInput(
                f"duplicate code {code!r}: features[{seen[code]}] and features[{i}] both have it", code=code
            )
        seen[code] = i
        name = as_code(props.pop(name_field, None)) if name_field else None
        geom = _to_multipolygon(feat.get("geometry"), where)
        features.append(AreaFeature(code=code, name=name, geom=geom, props=props))
    del raw_features

    # One vectorised validity pass; repairs are rare so a Python loop over them is fine.
    geoms = np.array([f.geom for f in features], dtype=object)
    repaired: list[AreaFeature] = []
    for j in np.flatnonzero(~shapely.is_valid(geoms)):
        f = features[j]
        where = _label(int(j), f.code)  # feature order == input order, so j is the input index
        f.geom, f.repair_note = _repair(f.geom, where)
        f.repaired = True
        repaired.append(f)
    for j in np.flatnonzero(shapely.is_empty(geoms) | (shapely.area(geoms) == 0)):
        if not features[j].repaired:
            raise InvalidInput(f"{_label(int(j), features[j].code)}: polygon has no area")
    return AreaFile(features=features, repaired=repaired)
