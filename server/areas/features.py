"""Area features for the map: geometry plus result figures, aggregated up the levels.

Districts and neighbourhoods get the sum over the polling stations whose largest overlap they
are: levels need not nest, and this gives each station to exactly one parent.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping

import orjson

TOP_LISTS = 3


def _empty_totals() -> dict:
    return {
        "registered": 0,
        "voters": 0,
        "abstentions": 0,
        "valid_votes": 0,
        "votes": defaultdict(int),
        "weighted_shares": defaultdict(float),
        "share_weight": 0.0,
    }


def _add(totals: dict, result: Mapping) -> None:
    for key in ("registered", "voters", "abstentions", "valid_votes"):
        # one station without the figure makes the sum unknown, rather than silently too small
        if result.get(key) is None:
            totals[key] = None
        elif totals[key] is not None:
            totals[key] += result[key]
    # Files in percent form may give list shares without counts: average those shares weighted
    # by the station's voters (or registered voters), which is what valid votes track closely.
    weight = result.get("valid_votes") or result.get("voters") or result["registered"]
    weighted = False
    for name, figures in result["lists"].items():
        if figures.get("votes") is not None:
            totals["votes"][name] += figures["votes"]
        elif figures.get("share") is not None:
            totals["weighted_shares"][name] += figures["share"] * weight
            weighted = True
    if weighted:
        totals["share_weight"] += weight


def figures_of(totals: dict | None, election: str | None, shares: Mapping[str, float] | None = None) -> dict:
    """Turn summed counts into the properties the map shows."""
    if totals is None:
        return {
            "registered": None,
            "voters": None,
            "abstentions": None,
            "valid_votes": None,
            "turnout": None,
            "abstention_rate": None,
            "election": None,
            "top_lists": [],
            "lists": {},
        }
    registered, voters, valid = totals["registered"], totals["voters"], totals["valid_votes"]
    if shares is None:
        denominator = valid or sum(totals["votes"].values()) or None
        shares = {n: v / denominator for n, v in totals["votes"].items()} if denominator else {}
        if not shares and totals["share_weight"]:
            shares = {n: w / totals["share_weight"] for n, w in totals["weighted_shares"].items()}
    votes = totals["votes"]
    ranked = sorted(shares.items(), key=lambda kv: (-kv[1], kv[0]))
    return {
        "registered": registered,
        "voters": voters,
        "abstentions": totals["abstentions"],
        "valid_votes": valid,
        "turnout": (voters / registered) if registered and voters is not None else None,
        "abstention_rate": (1 - voters / registered) if registered and voters is not None else None,
        "election": election,
        "top_lists": [{"name": n, "votes": votes.get(n), "share": s} for n, s in ranked[:TOP_LISTS]],
        "lists": dict(ranked),
    }


def station_totals(result: Mapping) -> tuple[dict, dict[str, float]]:
    totals = _empty_totals()
    _add(totals, result)
    shares = {n: f["share"] for n, f in result["lists"].items() if f.get("share") is not None}
    return totals, shares


def feature_collection(
    level: str,
    rows: Iterable[Mapping],
    results: Mapping[str, Mapping],
    station_parents: Mapping[tuple[str, str], str],
    election: str | None,
    fields: str = "all",
) -> bytes:
    """Serialise the features of one level; geometry is GeoJSON text from PostGIS, kept as is.

    `fields` (schemas.AreaFields): "map" leaves out the lists' figures (`lists` and `top_lists`:
    most of the stations' answer), "figures" the geometry."""
    by_parent: dict[str, dict] = {}
    if level != "polling_station":
        for code, result in results.items():
            parent = station_parents.get((code, level))
            if parent is not None:
                _add(by_parent.setdefault(parent, _empty_totals()), result)
    features = []
    for row in rows:
        if level == "polling_station":
            result = results.get(row["code"])
            if result is None:
                figures = figures_of(None, None)
            else:
                totals, shares = station_totals(result)
                figures = figures_of(totals, election, shares)
        else:
            figures = figures_of(by_parent.get(row["code"]), election if row["code"] in by_parent else None)
        if fields == "map":
            del figures["lists"], figures["top_lists"]
        features.append(
            {
                "type": "Feature",
                "id": row["id"],
                "geometry": None if fields == "figures" else orjson.Fragment(row["geometry"]),
                "properties": {
                    "id": row["id"],
                    "code": row["code"],
                    "name": row["name"],
                    "level": row["level"],
                    "repaired": row["repaired"],
                    "district_code": row["district_code"],
                    "neighbourhood_code": row["neighbourhood_code"],
                    **figures,
                },
            }
        )
    return orjson.dumps({"type": "FeatureCollection", "features": features})
