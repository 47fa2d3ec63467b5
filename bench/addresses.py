"""Addresses and walk lists: import speed, and the walking order's cost and quality.

    python -m bench.addresses [--stations 200]

Uses QUADRILLER_DATABASE_URL. Imports the Paris polling stations and its 158,048 BAN addresses
into a throw-away campaign (removed afterwards), then orders the doors of a sample of stations.
Walk length is compared, in the same run, with the address file's own order (street by street,
alphabetically) and with a random order. Prints one JSON line.
"""

from __future__ import annotations

import argparse
import asyncio
import platform
import random
import statistics
import time
import uuid

import orjson

from server.addresses import queries
from server.addresses.loading import import_addresses
from server.addresses.reader import read_address_file
from server.addresses.walk import length_m, walk
from server.areas.geojson_reader import read_area_file
from server.areas.loading import import_area_layer
from server.campaigns.queries import create_campaign
from server.db import connect
from server.demo import ADDRESS_FIELDS, ADDRESSES, DATA, LAYERS
from server.settings import Settings


async def run(n_stations: int) -> dict:
    conn = await connect(Settings().database_url)
    campaign = await create_campaign(conn, "bench-" + uuid.uuid4().hex[:8], "bench.addresses")
    try:
        await import_area_layer(
            conn, campaign["id"], "polling_station", read_area_file(DATA / LAYERS[2][1], "id_bv", None)
        )
        t0 = time.perf_counter()
        parsed = read_address_file(DATA / ADDRESSES, **ADDRESS_FIELDS)
        t1 = time.perf_counter()
        report = await import_addresses(conn, campaign["id"], parsed)
        t2 = time.perf_counter()
        codes = [
            r["code"]
            for r in await conn.fetch(
                "SELECT code FROM areas WHERE campaign_id = $1 AND level = 'polling_station' ORDER BY code",
                campaign["id"],
            )
        ]
        rnd = random.Random(1)
        sample = rnd.sample(codes, min(n_stations, len(codes)))
        walk_ms, vs_file, vs_random, doors = [], [], [], []
        for code in sample:
            d = await queries.station_doors(conn, campaign["id"], code)
            if len(d) < 2:
                continue
            t = time.perf_counter()
            order = [s.door for s in walk(d)]
            walk_ms.append((time.perf_counter() - t) * 1000)
            d.sort(key=lambda x: x.id)  # import order = the file's order
            shuffled = d[:]
            rnd.shuffle(shuffled)
            vs_file.append(length_m(order) / length_m(d))
            vs_random.append(length_m(order) / length_m(shuffled))
            doors.append(len(d))
    finally:
        await conn.execute("DELETE FROM campaigns WHERE id = $1", campaign["id"])
        await conn.close()
    return {
        "bench": "addresses",
        "machine": platform.node(),
        "python": platform.python_version(),
        "addresses": report.imported,
        "located": report.located,
        "parse_s": round(t1 - t0, 2),
        "import_and_locate_s": round(t2 - t1, 2),
        "stations_walked": len(walk_ms),
        "doors_median": statistics.median(doors),
        "doors_max": max(doors),
        "walk_ms_median": round(statistics.median(walk_ms), 2),
        "walk_ms_max": round(max(walk_ms), 2),
        "walk_vs_file_order_median": round(statistics.median(vs_file), 3),
        "walk_vs_file_order_max": round(max(vs_file), 3),
        "walk_vs_random_median": round(statistics.median(vs_random), 3),
    }


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--stations", type=int, default=200)
    args = p.parse_args()
    print(orjson.dumps(asyncio.run(run(args.stations))).decode())


if __name__ == "__main__":
    main()
