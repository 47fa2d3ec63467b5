"""Parse an open-data layer: a GeoJSON FeatureCollection in WGS84 of points, lines or polygons
(parks, schools, a population grid). Pure: one file in, plain objects out, or `InvalidInput`
naming the offending feature as `features[i]` (0-based, as in `jq '.features[i]'`).

It shares the area reader's refusals (broken JSON, a projected CRS, no features) so that both
imports fail the same way; unlike areas, any geometry kind is accepted and nothing needs a code.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import shapely
from shapely.errors import GEOSException
from shapely.geometry import shape

from server.areas.geojson_reader import PROJECTED_HINT
from server.areas.geojson_reader import read_features
from server.errors import InvalidInput

KINDS = {
    "Point": "point",
    "MultiPoint": "point",
    "LineString": "line",
    "MultiLineString": "line",
    "Polygon": "polygon",
    "MultiPolygon": "polygon",
}


@dataclass
class LayerFeature:
    ordinal: int
    geom: shapely.Geometry
    kind: str
    value: float | None
    weight: float | None
    radius_m: float
    props: dict


@dataclass
class LayerOptions:
    value_field: str | None = None
    weight_field: str | None = None
    radius_field: str | None = None  # a point's radius in metres
    area_field: str | None = None  # a point's area in m²: radius = sqrt(area / pi)
    only: tuple[str, frozenset[str]] | None = None  # keep features whose FIELD is one of VALUES


def parse_only(text: str | None) -> tuple[str, frozenset[str]] | None:
    """`FIELD=V1,V2` -> (FIELD, {V1, V2}): e.g. keep only parks from an inventory of green spaces."""
    if not text:
        return None
    field, sep, values = text.partition("=")
    if not sep or not field.strip() or not values.strip():
        raise InvalidInput(f"--only {text!r}: expected FIELD=VALUE[,VALUE…]")
    return field.strip(), frozenset(v.strip() for v in values.split(","))


def _number(props: dict, field: str | None, where: str) -> float | None:
    if field is None:
        return None
    if field not in props:
        available = ", ".join(sorted(props)) or "none"
        raise InvalidInput(f"{where} has no {field!r} property (available properties: {available})", field=field)
    v = props[field]
    if v is None or v == "" or (isinstance(v, float) and math.isnan(v)):
        return None  # a blank cell (INSEE secrecy, an unmeasured park) is unknown, not zero
    if isinstance(v, bool):
        raise InvalidInput(f"{where}: {field!r} is a boolean, not a number")
    if isinstance(v, str):
        try:
            v = float(v.strip().replace(",", "."))
        except ValueError:
            raise InvalidInput(f"{where}: {field!r} is {v!r}, not a number") from None
    if not isinstance(v, (int, float)) or not math.isfinite(v):
        raise InvalidInput(f"{where}: {field!r} is {v!r}, not a finite number")
    return float(v)


def _geometry(raw: Any, where: str) -> tuple[shapely.Geometry, str]:
    if not isinstance(raw, dict) or raw.get("type") is None:
        raise InvalidInput(f"{where}: geometry is null")
    kind = KINDS.get(raw["type"])
    if kind is None:
        raise InvalidInput(f"{where}: geometry is a {raw['type']}; expected a point, line or polygon")
    try:
        geom = shapely.force_2d(shape(raw))
    except (TypeError, ValueError, KeyError, IndexError, AttributeError, GEOSException) as exc:
        raise InvalidInput(f"{where}: unreadable {raw['type']} coordinates ({exc})") from None
    if geom.is_empty:
        raise InvalidInput(f"{where}: empty {raw['type']}")
    coords = shapely.get_coordinates(geom)
    if not np.isfinite(coords).all():
        raise InvalidInput(f"{where}: coordinates contain non-finite numbers")
    # Out-of-range values are the signature of a projected file (Lambert-93 is ~600000, 6860000).
    bad = (np.abs(coords[:, 0]) > 180) | (np.abs(coords[:, 1]) > 90)
    if bad.any():
        x, y = coords[np.argmax(bad)]
        raise InvalidInput(f"{where}: coordinate ({x:.10g}, {y:.10g}) is not longitude/latitude; " + PROJECTED_HINT)
    if kind == "polygon" and not geom.is_valid:
        geom = shapely.make_valid(geom, method="structure", keep_collapsed=False)
        if geom.is_empty or geom.area == 0:
            raise InvalidInput(f"{where}: invalid polygon, and repairing it leaves no area")
    return geom, kind


def read_layer_file(path, options: LayerOptions | None = None) -> list[LayerFeature]:
    options = options or LayerOptions()
    path = Path(path)
    raw_features = read_features(path, allow_nan=True)
    out: list[LayerFeature] = []
    for i, feat in enumerate(raw_features):
        where = f"features[{i}]"
        if not isinstance(feat, dict) or feat.get("type") != "Feature":
            raise InvalidInput(f"{where} is not a GeoJSON Feature")
        props = feat.get("properties") or {}
        if not isinstance(props, dict):
            raise InvalidInput(f"{where}: properties is not an object")
        if options.only is not None:
            field, values = options.only
            if field not in props:
                raise InvalidInput(f"{where} has no {field!r} property (--only)", field=field)
            if str(props[field]) not in values:
                continue
        geom, kind = _geometry(feat.get("geometry"), where)
        radius = 0.0
        if kind == "point":
            r = _number(props, options.radius_field, where)
            a = _number(props, options.area_field, where)
            if (r is not None and r < 0) or (a is not None and a < 0):
                raise InvalidInput(f"{where}: a negative radius or area")
            radius = r if r is not None else math.sqrt(a / math.pi) if a is not None else 0.0
        out.append(
            LayerFeature(
                i,
                geom,
                kind,
                _number(props, options.value_field, where),
                _number(props, options.weight_field, where),
                radius,
                props,
            )
        )
    if not out:
        only = f" after --only {options.only[0]}=…" if options.only else ""
        raise InvalidInput(f"{path.name}: no feature left{only}")
    return out
