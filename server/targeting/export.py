"""Writing ranked stations as CSV or GeoJSON: every station, its score, rank, components and
share-beyond columns, so a coordinator can check each figure in a spreadsheet."""

from __future__ import annotations

import csv
import io

import orjson

FIRST = ("code", "name", "score", "rank")
NOT_COLUMNS = ("reasons", "explanation", "lon", "lat")  # the explanation is in the reasons


def columns(rows: list[dict]) -> list[str]:
    seen = dict.fromkeys(FIRST)
    for r in rows:
        for k in r:
            if k not in NOT_COLUMNS:
                seen.setdefault(k)
    return list(seen)


def to_csv(rows: list[dict]) -> str:
    cols = columns(rows)
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow([*cols, "reasons"])
    for r in rows:
        w.writerow([*("" if r.get(c) is None else r.get(c) for c in cols), "; ".join(r["reasons"])])
    return buf.getvalue()


def to_geojson(rows: list[dict], shapes: dict[str, dict]) -> str:
    feats = [
        {
            "type": "Feature",
            "geometry": shapes.get(r["code"]),
            "properties": {k: v for k, v in r.items() if k not in ("lon", "lat")},
        }
        for r in rows
    ]
    return orjson.dumps({"type": "FeatureCollection", "features": feats}).decode()
