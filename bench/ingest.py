"""Ingest benchmark: N real volunteers push R pings/s over websockets against a running stack.

    python -m bench.ingest --volunteers 5000 --rate 20000 --seconds 60 \
        [--ingest-url ws://127.0.0.1:8001/ws/pings] [--campaign paris] [--no-refs]

Prints ONE JSON line. The stack (ingest service, PostGIS, Redis) is found through
QUADRILLER_DATABASE_URL / QUADRILLER_REDIS_URL and --ingest-url; the volunteers are real users of
the campaign (`bench-<slug>-<i>`, created or re-tokened in bulk at each run).

Phases, all with the same load generator and the same volunteers:
1. ingest: open-loop load at --rate for --seconds. Every ping is kept in its connection's outbox
   until acked; after the run the acked (volunteer, seq) pairs are checked against `pings` in
   PostGIS (lost = acked but absent). A Redis subscriber on the campaign's live channel times
   send → delta seen (ping `t` is the send time).
2. ceiling: `bench.refservers bare` (parse + ack, nothing stored), closed loop at saturation.
   Its rate is the ceiling of the web stack and the generator's capacity on this machine.
3. naive: `bench.refservers naive` (one INSERT per ping, ack after insert), closed loop.
Both references run as subprocesses on free ports, under uvicorn with ws="websockets-sansio",
like the ingest service.

The generator is lean on purpose (a Python client on the `websockets` library saturates near
26 k msg/s): 2–4 worker processes on uvloop, a raw asyncio websocket client (zero mask key, so
no masking cost, which RFC 6455 allows), one frame per connection per --frame-interval carrying
all that connection's pings, pings formatted with bytes %-formatting, acks parsed with orjson.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import time
from urllib.parse import urlparse

import orjson

from bench.ingest_phase import LiveSubscriber, pids_listening, prepare, run_phase
from bench.ingest_refs import start_refserver, stop_refserver, verify, wait_idle
from bench.ingest_worker import _raise_nofile


# -- main -------------------------------------------------------------------------------------

PUBLIC_KEYS = (
    "pings_sent",
    "pings_acked",
    "acked_per_s",
    "ack_p50_ms",
    "ack_p99_ms",
    "server_cpu_s",
    "server_rss_mb",
    "limited_by",
)


def parse_args(argv):
    p = argparse.ArgumentParser(prog="python -m bench.ingest", description=__doc__.splitlines()[0])
    p.add_argument("--volunteers", type=int, default=500)
    p.add_argument("--rate", type=float, default=5000.0, help="pings per second in total (0: saturate)")
    p.add_argument("--seconds", type=float, default=10.0)
    p.add_argument("--ingest-url", default="ws://127.0.0.1:8001/ws/pings")
    p.add_argument("--campaign", default="paris")
    p.add_argument("--workers", type=int, default=min(4, max(2, os.cpu_count() or 2)), help="load-generator processes")
    p.add_argument(
        "--frame-interval",
        type=float,
        default=1.0,
        help="seconds between two frames of one volunteer (its pings are batched per frame)",
    )
    p.add_argument(
        "--pings-per-frame",
        type=int,
        default=None,
        help="saturation runs (references, --rate 0): pings per frame (default: what the rated run sends, at least 1)",
    )
    p.add_argument("--window", type=int, default=2, help="saturation runs: frames in flight per connection")
    p.add_argument(
        "--ref-workers",
        type=int,
        default=None,
        help="processes of each reference server (default: as many as the ingest service "
        "has listening on its port, so that ratios compare like with like)",
    )
    p.add_argument(
        "--ref-seconds", type=float, default=None, help="duration of each reference run (default: min(seconds, 10))"
    )
    p.add_argument("--drain-seconds", type=float, default=10.0, help="how long to wait for the last acks")
    p.add_argument("--connect-timeout", type=float, default=15.0)
    p.add_argument(
        "--server-pid", type=int, action="append", default=[], help="ingest process id(s); default: found by port"
    )
    p.add_argument(
        "--no-refs",
        action="store_true",
        help="skip the reference servers and the saturation run of the ingest (no ratios)",
    )
    p.add_argument("--refs-only", action="store_true", help="measure only the reference servers")
    p.add_argument("--database-url")
    p.add_argument("--redis-url")
    return p.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    from server.redis import live_channel
    from server.settings import Settings

    args = parse_args(argv)
    settings = Settings()
    db_url = args.database_url or settings.database_url
    redis_url = args.redis_url or settings.redis_url
    _raise_nofile()
    n = args.volunteers
    started = time.monotonic()
    try:
        prep = asyncio.run(prepare(db_url, args.campaign, n))
    except Exception as exc:  # noqa: BLE001 - one JSON line, whatever happens
        sys.stdout.write(
            orjson.dumps({"bench": "ingest", "error": f"set-up failed: {type(exc).__name__}: {exc}"}).decode() + "\n"
        )
        return 3
    vid_list = [vid for vid, _ in prep.accounts]
    if args.pings_per_frame:
        ppf = args.pings_per_frame
    elif args.rate > 0:
        ppf = max(1, round(args.rate / n * args.frame_interval))
    else:
        ppf = 4
    common = dict(
        workers=args.workers,
        frame_interval=args.frame_interval,
        pings_per_frame=ppf,
        window=args.window,
        drain_seconds=args.drain_seconds,
        connect_timeout=args.connect_timeout,
    )
    sat_seconds = args.ref_seconds or min(args.seconds, 10.0)
    report: dict = {
        "bench": "ingest",
        "campaign": args.campaign,
        "volunteers": n,
        "rate_target": args.rate,
        "seconds": args.seconds,
        "workers": args.workers,
        "saturation_pings_per_frame": ppf,
        "saturation_seconds": sat_seconds,
    }
    ingest = ingest_max = ceiling = naive = None
    ingest_pids = [] if args.refs_only else args.server_pid or pids_listening(urlparse(args.ingest_url).port or 80)
    ref_workers = args.ref_workers or max(1, len(ingest_pids))
    report.update(ingest_processes=len(ingest_pids), ref_workers=ref_workers)

    def ingest_phase(name: str, rate: float, seconds: float, live: bool) -> dict:
        port = urlparse(args.ingest_url).port or 80
        pids = args.server_pid or pids_listening(port)
        sub = LiveSubscriber(redis_url, live_channel(prep.campaign_id), set(vid_list), prep.seq_start) if live else None
        seq_start = prep.seq_start
        try:
            res = run_phase(
                name, args.ingest_url, prep, rate=rate, seconds=seconds, server_pids=pids, live=sub, **common
            )
            prep.seq_start = max(prep.seq_start, res.pop("next_seq"))
            res.update(asyncio.run(verify(db_url, "pings", vid_list, seq_start, res.pop("_acked_pairs"), "ws")))
            return res
        except Exception as exc:  # noqa: BLE001 - a failed phase is reported, the others still run
            return {"phase": name, "error": f"{type(exc).__name__}: {exc}"}

    if not args.refs_only:
        # 1. The target load, open loop: latency and loss at the offered rate.
        ingest = ingest_phase("ingest", args.rate, args.seconds, live=True) if args.rate > 0 else None
        # 2. The same service at saturation, shaped like the reference runs, for the ratios.
        if not args.no_refs or args.rate <= 0:
            if ingest is not None:
                report["settle_s"] = wait_idle(args.ingest_url)
            ingest_max = ingest_phase(
                "ingest_max", 0, sat_seconds if args.rate > 0 else args.seconds, live=args.rate <= 0
            )
        if ingest is None:
            ingest = ingest_max

    if not args.no_refs:
        for kind in ("bare", "naive"):
            proc = None
            try:
                proc, url = start_refserver(kind, db_url, ref_workers)
                if kind == "naive":
                    asyncio.run(_truncate_naive(db_url))
                time.sleep(1.0)  # every worker listening
                pids = pids_listening(urlparse(url).port) or [proc.pid]
                res = run_phase(kind, url, prep, rate=0, seconds=sat_seconds, server_pids=pids, **common)
                res["server_processes"] = len(pids)
                res.pop("next_seq")
                pairs = res.pop("_acked_pairs")
                if kind == "naive":
                    from bench.refservers import NAIVE_TABLE

                    res.update(asyncio.run(verify(db_url, NAIVE_TABLE, vid_list, 0, pairs, None)))
            except Exception as exc:  # noqa: BLE001
                res = {"phase": kind, "error": f"{type(exc).__name__}: {exc}"}
            finally:
                if proc is not None:
                    stop_refserver(proc)
            if kind == "bare":
                ceiling = res
            else:
                naive = res

    # The headline: the target-load run's figures at the top level, the references beside them.
    src = ingest or {}
    for key in (
        "pings_sent",
        "pings_acked",
        "rows_in_db",
        "lost",
        "duplicates_in_db",
        "acked_per_s",
        "ack_p50_ms",
        "ack_p99_ms",
        "live_p99_ms",
        "server_cpu_s",
        "server_rss_mb",
        "limited_by",
    ):
        report[key] = src.get(key)
    if ingest_max is not None and ingest_max is not ingest:
        # Loss is checked on every run against the ingest.
        for key in ("lost", "duplicates_in_db"):
            if report[key] is not None and ingest_max.get(key) is not None:
                report[key] += ingest_max[key]
    report["ingest_max_per_s"] = (ingest_max or {}).get("acked_per_s")
    report["ceiling_per_s"] = (ceiling or {}).get("acked_per_s")
    report["naive_per_s"] = (naive or {}).get("acked_per_s")
    report["generator_capacity"] = report["ceiling_per_s"]
    report["generator_capacity_limited_by"] = (ceiling or {}).get("limited_by")
    report["generator_cpu_us_per_ping"] = (ceiling or {}).get("generator_cpu_us_per_ping")
    # Ratios compare like with like: saturation runs, same connections, same pings per frame.
    ours = report["ingest_max_per_s"]
    report["ratio_basis"] = "saturation" if ours is not None else "offered_rate"
    if ours is None:
        ours = src.get("acked_per_s")
    if ingest_max and str(ingest_max.get("limited_by", "")).startswith("per-device rate cap"):
        report["ratio_note"] = (
            "the saturation run hit the per-device rate the service announces "
            "(max_pings_per_s x volunteers): the ratios are lower bounds. Use more "
            "volunteers or raise QUADRILLER_INGEST_RATE_PER_DEVICE on the service."
        )
    report["ratio_to_ceiling"] = _ratio(ours, report["ceiling_per_s"])
    report["ratio_to_naive"] = _ratio(ours, report["naive_per_s"])
    report["checks"] = _checks(report, n) if ingest and "error" not in ingest else None
    report["ingest"] = ingest
    report["ingest_max"] = ingest_max if ingest_max is not ingest else None
    report["ceiling"] = ceiling
    report["naive"] = naive
    report["wall_s"] = round(time.monotonic() - started, 1)
    sys.stdout.write(orjson.dumps(report).decode() + "\n")
    sys.stdout.flush()
    phases = (ingest, ingest_max, ceiling, naive)
    return 0 if all(p is None or "error" not in p for p in phases) else 1


async def _truncate_naive(db_url: str) -> None:
    import asyncpg

    from bench.refservers import NAIVE_TABLE

    conn = await asyncpg.connect(db_url)
    try:
        await conn.execute(f"TRUNCATE {NAIVE_TABLE}")
    finally:
        await conn.close()


def _ratio(a, b):
    return round(a / b, 3) if a is not None and b else None


def _all_of_20k_acked(r: dict) -> bool:
    sent, seconds = r.get("pings_sent") or 0, r.get("seconds") or 0
    return bool(seconds and sent >= 20000 * seconds and r.get("pings_acked") == sent)


def _checks(r: dict, n: int) -> dict:
    """The issue's targets, as booleans (None when a figure is missing)."""

    def le(x, limit):
        return None if x is None else x < limit

    def ge(x, limit):
        return None if x is None else x >= limit

    return {
        "volunteers_5000": n >= 5000,
        # Also met when 20 k/s were sent over the run's seconds and every ping was acked: the
        # acked rate divides by the wall time, last acks included (19,998/s for exactly 20 k/s).
        "acked_per_s_20000": ge(r["acked_per_s"], 20000) or _all_of_20k_acked(r),
        "zero_lost": None if r["lost"] is None else r["lost"] == 0,
        "ack_p99_lt_250ms": le(r["ack_p99_ms"], 250),
        "live_p99_lt_250ms": le(r["live_p99_ms"], 250),
        "half_of_ceiling": ge(r["ratio_to_ceiling"], 0.5),
        "ten_times_naive": ge(r["ratio_to_naive"], 10),
    }


if __name__ == "__main__":
    sys.exit(main())
