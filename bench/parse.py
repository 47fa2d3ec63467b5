"""The websocket's pings frame parsed by the two paths of the ingest, in one process, alternated:
orjson plus ingest.protocol.parse_pings (dicts), and ingest.wire.parse_pings (msgspec structs).

    python -m bench.parse [--frames 200000] [--pings-per-frame 4] [--rounds 3]

A frame as bench.ingest's generator sends it (each ping with every field, in range, recent).
Pure CPU, no services. Prints one JSON line: µs per ping of each path, best and all rounds, and
the ratio of the best ones."""

from __future__ import annotations

import argparse
import os
import sys
import time

import orjson

from ingest import protocol as P
from ingest import wire

PATHS = {"protocol": P.parse_pings, "wire": wire.parse_pings}


def frame(now: float, n: int) -> bytes:
    pings = [
        {
            "seq": 1000 + i,
            "t": now - 3 + i * 0.7,
            "lat": 48.8566 + i * 1e-4,
            "lon": 2.3522 + i * 1e-4,
            "acc": 6.5,
            "spd": 1.2,
            "hdg": 90.0,
            "bat": 0.8,
        }
        for i in range(n)
    ]
    return orjson.dumps({"type": "pings", "pings": pings})


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m bench.parse", description=__doc__)
    p.add_argument("--frames", type=int, default=200_000)
    p.add_argument("--pings-per-frame", type=int, default=4)
    p.add_argument("--rounds", type=int, default=3)
    args = p.parse_args(argv)
    now = time.time()
    limits = P.Limits(300.0, 30 * 86400.0, 100.0)
    data = frame(now, args.pings_per_frame)
    answers = {name: parse(data, now, limits) for name, parse in PATHS.items()}
    same = [(q.seq, q.t, q.lat, q.lon, q.acc, q.spd) for q in answers["wire"][0]] == [
        (q.seq, q.t, q.lat, q.lon, q.acc, q.spd) for q in answers["protocol"][0]
    ]
    rounds: dict[str, list[float]] = {name: [] for name in PATHS}
    for _ in range(args.rounds):
        for name, parse in PATHS.items():
            t0 = time.perf_counter()
            for _ in range(args.frames):
                parse(data, now, limits)
            rounds[name].append(round((time.perf_counter() - t0) / args.frames / args.pings_per_frame * 1e6, 3))
    best = {name: min(r) for name, r in rounds.items()}
    report = {
        "bench": "parse",
        "frames": args.frames,
        "pings_per_frame": args.pings_per_frame,
        "same_pings": same,
        "us_per_ping": best,
        "us_per_ping_rounds": rounds,
        "wire_over_protocol": round(best["wire"] / best["protocol"], 3) if best["protocol"] else None,
        "loadavg": os.getloadavg()[0],
    }
    sys.stdout.write(orjson.dumps(report).decode() + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
