"""Ping rows in the store's column order (server/pings/queries.INSERT_COLUMNS), at Paris's real
polling places, for tests of the insert path."""

from __future__ import annotations

import json
import time

from h3.api import basic_int as h3i

from server.pings import queries as pings
from server.settings import PROJECT_ROOT

# Volunteer ids no account has: the identity (volunteer, time, source, seq) spans campaigns.
V = 9_000_000
T0 = time.time() - 3600  # one clock for every batch: a resend repeats its ping's time


def _polling_places() -> list[tuple[float, float]]:
    path = PROJECT_ROOT / "data" / "paris" / "paris_bureaux_vote_lieux_2024.geojson"
    fc = json.loads(path.read_text(encoding="utf-8"))
    return [tuple(f["geometry"]["coordinates"]) for f in fc["features"]]


def ping_columns(campaign_id: int, volunteer: int, seqs: range, source: str = "ws") -> list[list]:
    """Rows in INSERT_COLUMNS order at Paris's polling places, with NULLs, -1 ids and a
    low-accuracy fix mixed in, so that every conversion of the statement is exercised."""
    places = _polling_places()
    t0 = T0
    cols: list[list] = [[] for _ in pings.INSERT_COLUMNS]
    for s in seqs:
        lon, lat = places[s % len(places)]
        low = s % 7 == 0
        row = (
            campaign_id,
            volunteer,
            source,
            s,
            t0 + s * 0.5,
            int((t0 + s * 0.5) * 1000) + 120,
            lon,
            lat,
            150.0 if low else 6.5,
            None if s % 3 else 35.25,
            None if s % 2 else 1.5,
            None if s % 5 else 270.0,
            None if s % 4 else 0.75,
            h3i.latlng_to_cell(lat, lon, 11),
            -1 if s % 6 == 0 else 1000 + s,
            -1 if s % 6 == 0 else 2000 + s,
            -1 if s % 6 == 0 else 3000 + s,
            low,
        )
        for col, value in zip(cols, row):
            col.append(value)
    return cols
