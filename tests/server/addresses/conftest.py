"""The Paris BAN doors per polling station, shared by the walk and route tests."""

from __future__ import annotations

import csv
import gzip
from pathlib import Path

import pytest

from server.addresses.walk import Door

BAN = Path(__file__).resolve().parents[3] / "data" / "paris" / "paris_adresses_ban_2024.csv.gz"


@pytest.fixture(scope="module")
def doors_by_station() -> dict[str, list[Door]]:
    """The file's doors per polling station (its id_bv column), in the file's order."""
    out: dict[str, list[Door]] = {}
    with gzip.open(BAN, "rt", encoding="utf-8") as f:
        for i, r in enumerate(csv.DictReader(f)):
            if r["id_bv"]:
                number = f"{r['numero']} {r['rep']}".strip()
                out.setdefault(r["id_bv"], []).append(Door(i, number, r["nom_voie"], float(r["lon"]), float(r["lat"])))
    return out
