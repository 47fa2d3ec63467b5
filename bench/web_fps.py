"""HQ map smoothness: headless Chromium on the live map while N volunteers move at walking speed.

    python -m bench.web_fps --volunteers 5000 --seconds 20 [--interval 5] [--campaign paris]
        [--url http://127.0.0.1:8000 --token T --redis-url redis://…/0] [--profile]

Without --url it starts its own HQ server (`python -m server.cli serve`) on QUADRILLER_DATABASE_URL
and on Redis database --redis-db (13) of QUADRILLER_REDIS_URL's server, for its own campaign
`bench-web-fps` (Paris imported on the first run, then reused), and adds an admin user for its
token. Its own campaign, because Redis pub/sub ignores the database number: on `paris`, deltas
of any ingest running against the dev campaign would reach the page too.

A separate process publishes live deltas on the campaign's Redis channel as ingest does (PUBLISH +
HSET of the volunteer state hash, "rt" = now): each volunteer every --interval s, moving at
1.3 m/s, so 5,000 volunteers every 5 s = 1,000 deltas/s. The server coalesces them into
`live_frames_per_second` frames (4). The page is measured zoomed in (zoom 14: points, trails and
heading stubs) and zoomed out (zoom 11.5: H3 hexagons), half of --seconds each after a 2 s settle.

With `--dist [LABEL=]DIR` (repeatable) the page comes from those front-end builds (vite outDirs)
instead of web/dist: each measurement starts a server with QUADRILLER_WEB_DIST=DIR and a fresh
page, against the same publisher, `--rounds` times in alternating order (A B, B A, ...):
before/after figures from one run, on the same machine load. `--warmup S` waits S s after the page loaded before measuring (the
page keeps 10-point trails: ~50 s of pings to grow them; without it they hold 3-5 points).

Prints ONE JSON line. Per phase:
- `raf_fps`: requestAnimationFrame callbacks per second (how often the page could paint);
- `deck_redraws_per_s`: deck.gl frames drawn (window.__quadriller.frames, from onAfterRender);
- `live_commits_per_s` (live layer updates handed to deck, hq/throttle.ts) and `live_render_ms_p50`
  (the throttle's measure of a live render, commit to the next animation frame after the draw,
  sampled once a second);
- `live_frames_per_s` and `main_ms_per_update`: main-thread busy time (Chrome DevTools Protocol
  Performance.getMetrics TaskDuration delta) divided by the live frames received; `script_ms_per_update`
  the same for ScriptDuration; `handler_ms_per_update` the websocket handler alone (parse + store);
- `longtasks` (PerformanceObserver, > 50 ms): count, total and max ms;
- `frame_lag_ms`: p50/p99 from the server's frame time "t" to the end of the page's handler;
- `volunteers` in the store and `volunteers_in_view` (projected inside the viewport).
Plus `polygons` (polling stations loaded), `renderer` (WebGL UNMASKED_RENDERER: SwiftShader here)
and, with --profile, the top self-time functions of a 4 s CPU profile taken while zoomed in.
With --dist: `builds` (per build, the median over rounds of each phase's headline figures),
`ratios` (each build's to the first's) and `runs` (every measurement).
Frames per second on a software renderer say little about a real GPU; main-thread milliseconds
per update are the figure to compare.
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing as mp
import os
import subprocess
import sys
import time
import uuid
from pathlib import Path

import orjson

from bench.procs import free_port, start_process, stop_process
from bench.web_fps_load import _publisher
from bench.web_fps_page import INIT_JS, IN_VIEW_JS, POINTS_JS, RENDER_MS_JS, RENDERER_JS, SAMPLE_JS, summarise_profile
from server.settings import PROJECT_ROOT, Settings
from bench.chromium import CHROMIUM, CHROMIUM_ARGS

CENTRE = (2.347, 48.859)
# Its own campaign, not the dev `paris`: Redis pub/sub channels are not scoped by database number,
# so a bench publishing on `paris`'s channel in Redis db 13 would still reach (and be polluted by)
# every server and ingest process watching `paris` on db 0.
BENCH_CAMPAIGN = "bench-web-fps"


def _cpu_seconds(pid: int | None) -> float | None:
    if not pid:
        return None
    try:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _with_db(redis_url: str, db: int) -> str:
    return redis_url.rsplit("/", 1)[0] + f"/{db}" if redis_url.count("/") >= 3 else f"{redis_url}/{db}"


async def _admin_token(settings: Settings, slug: str) -> tuple[int, str]:
    """The bench's own campaign (Paris imported once, reused by later runs) and an admin token."""
    from server.auth.queries import add_user
    from server.campaigns.queries import create_campaign
    from server.db import connect
    from server.demo import import_city
    from server.sql import sql

    conn = await connect(settings.database_url)
    try:
        campaign = await conn.fetchrow(sql("campaigns/by_slug"), slug)
        if campaign is None:
            campaign = await create_campaign(conn, slug, "Paris (web_fps bench)")
        stations = await conn.fetchval(
            "SELECT count(*) FROM areas WHERE campaign_id = $1 AND level = 'polling_station'", campaign["id"]
        )
        if not stations:
            print(f"importing Paris into campaign {slug!r} (once)", file=sys.stderr)
            await import_city(conn, campaign["id"])  # each level is one transaction, as in demo setup
        user = await add_user(conn, slug, "admin", f"web_fps bench {uuid.uuid4().hex[:6]}")
        return campaign["id"], user.token
    finally:
        await conn.close()


async def _campaign_id(settings: Settings, slug: str) -> int:
    from server.campaigns.queries import campaign_by_slug
    from server.db import connect

    conn = await connect(settings.database_url)
    try:
        return (await campaign_by_slug(conn, slug))["id"]
    finally:
        await conn.close()


def _start_server(settings: Settings, redis_url: str, web_dist: Path | None = None) -> tuple[subprocess.Popen, str]:
    port = free_port()
    env = {**os.environ, "QUADRILLER_DATABASE_URL": settings.database_url, "QUADRILLER_REDIS_URL": redis_url}
    if web_dist is not None:
        env["QUADRILLER_WEB_DIST"] = str(web_dist)
    try:
        proc = start_process(
            [sys.executable, "-m", "server.cli", "serve", "--host", "127.0.0.1", "--port", str(port)],
            port,
            "the HQ server",
            timeout=60,
            env=env,
            cwd=str(PROJECT_ROOT),
        )
    except RuntimeError as exc:
        sys.exit(str(exc))
    return proc, f"http://127.0.0.1:{port}"


def _percentile(values: list[float], p: float) -> float | None:
    if not values:
        return None
    values = sorted(values)
    return values[min(len(values) - 1, int(round(p / 100 * (len(values) - 1))))]


async def _metrics(cdp) -> dict[str, float]:
    return {m["name"]: m["value"] for m in (await cdp.send("Performance.getMetrics"))["metrics"]}


async def _set_view(page, zoom: float) -> None:
    lon, lat = CENTRE
    view = f"longitude: {lon:f}, latitude: {lat:f}, zoom: z, pitch: 0, bearing: 0, minZoom: 3, maxZoom: 19"
    await page.evaluate("(z) => window.__quadriller.deck.setProps({initialViewState: {" + view + "}})", zoom)


async def _phase(page, cdp, zoom: float, seconds: float, server_pid: int | None) -> dict:
    await _set_view(page, zoom)
    await asyncio.sleep(2.0)  # settle: the new zoom's layers are built and drawn
    m0, s0, cpu0 = await _metrics(cdp), await page.evaluate(SAMPLE_JS), _cpu_seconds(server_pid)
    render_ms = []
    for _ in range(max(1, int(seconds))):  # the live render time, once a second
        await asyncio.sleep(seconds / max(1, int(seconds)))
        ms = await page.evaluate(RENDER_MS_JS)
        if ms:
            render_ms.append(ms)
    m1, s1, cpu1 = await _metrics(cdp), await page.evaluate(SAMPLE_JS), _cpu_seconds(server_pid)
    wall = (s1["t"] - s0["t"]) / 1000.0
    updates = max(1, s1["msgs"] - s0["msgs"])
    lags = s1["lags"]
    out = {
        "zoom": round(s1["zoom"], 2) if s1["zoom"] is not None else zoom,
        "seconds": round(wall, 2),
        "raf_fps": round((s1["raf"] - s0["raf"]) / wall, 1),
        "deck_redraws_per_s": round((s1["frames"] - s0["frames"]) / wall, 2),
        "live_commits_per_s": round((s1["commits"] - s0["commits"]) / wall, 2),
        "live_render_ms_p50": _percentile(render_ms, 50),
        "live_frames_per_s": round((s1["msgs"] - s0["msgs"]) / wall, 2),
        "kb_per_s": round((s1["bytes"] - s0["bytes"]) / wall / 1000, 1),
        "main_ms_per_update": round((m1["TaskDuration"] - m0["TaskDuration"]) * 1000 / updates, 1),
        "script_ms_per_update": round((m1["ScriptDuration"] - m0["ScriptDuration"]) * 1000 / updates, 1),
        "handler_ms_per_update": round((s1["handlerMs"] - s0["handlerMs"]) / updates, 2),
        "main_thread_busy": round((m1["TaskDuration"] - m0["TaskDuration"]) / wall, 3),
        "longtasks": s1["longtasks"] - s0["longtasks"],
        "longtask_ms_total": round(s1["longMs"] - s0["longMs"], 0),
        "longtask_ms_max": round(s1["longMax"], 0),
        "frame_lag_ms_p50": _percentile(lags, 50),
        "frame_lag_ms_p99": _percentile(lags, 99),
        "js_heap_mb": round(m1.get("JSHeapUsedSize", 0) / 1e6, 1),
        "volunteers": s1["volunteers"],
    }
    if cpu0 is not None and cpu1 is not None:
        out["server_cpu"] = round((cpu1 - cpu0) / wall, 3)
    return out


async def _measure(browser, args, base: str, token: str, server_pid: int | None) -> dict:
    """One page load, then the zoomed-in and zoomed-out phases."""
    page = await browser.new_page(viewport={"width": args.width, "height": args.height})
    try:
        await page.add_init_script(INIT_JS)
        cdp = await page.context.new_cdp_session(page)
        # Wall-clock task time: with SwiftShader the main thread also waits on the GPU process,
        # which thread CPU time (timeDomain "threadTicks") would not count.
        await cdp.send("Performance.enable", {"timeDomain": "timeTicks"})
        out: dict = {}
        t0 = time.monotonic()
        await page.goto(f"{base}/?campaign={args.campaign}#token={token}")
        await page.wait_for_function("document.body.dataset.layersLoaded === 'true'", timeout=120_000)
        await page.wait_for_function(
            f"window.__quadriller.live && window.__quadriller.live.volunteers >= {args.volunteers}", timeout=120_000
        )
        out["load_s"] = round(time.monotonic() - t0, 1)
        out["renderer"] = await page.evaluate(RENDERER_JS)
        out["polygons"] = await page.evaluate("window.__quadriller.counts.polling_station")
        if args.warmup:
            await asyncio.sleep(args.warmup)  # trails are kept by the page: let them grow
        half = args.seconds / 2
        out["zoomed_in"] = await _phase(page, cdp, args.zoom_in, half, server_pid)
        out["zoomed_in"]["volunteers_in_view"] = await page.evaluate(IN_VIEW_JS, await page.evaluate(POINTS_JS))
        if args.profile:
            await cdp.send("Profiler.enable")
            await cdp.send("Profiler.setSamplingInterval", {"interval": 200})
            await cdp.send("Profiler.start")
            await asyncio.sleep(4)
            prof = (await cdp.send("Profiler.stop"))["profile"]
            out["profile_zoomed_in_top"] = summarise_profile(prof)
        out["zoomed_out"] = await _phase(page, cdp, args.zoom_out, half, server_pid)
        if args.areas_off:
            # Diagnosis: the same live load with the three area layers hidden (points only).
            for level in ("district", "neighbourhood", "polling_station"):
                box = page.locator(f"#toggle-{level}")
                if await box.is_checked():
                    await box.uncheck()
            out["zoomed_in_areas_hidden"] = await _phase(page, cdp, args.zoom_in, half, server_pid)
        return out
    finally:
        await page.close()


# Compared between builds (their ratio to the first build's, in "ratios").
HEADLINE = (
    "raf_fps",
    "deck_redraws_per_s",
    "live_render_ms_p50",
    "main_ms_per_update",
    "script_ms_per_update",
    "frame_lag_ms_p50",
    "frame_lag_ms_p99",
)
PHASES = ("zoomed_in", "zoomed_out", "zoomed_in_areas_hidden")


def _median(values: list) -> float | None:
    values = sorted(v for v in values if v is not None)
    if not values:
        return None
    mid = len(values) // 2
    return values[mid] if len(values) % 2 else round((values[mid - 1] + values[mid]) / 2, 2)


def _compare(runs: dict[str, list[dict]]) -> tuple[dict, dict]:
    """Per build, the median over rounds of each phase's headline figures; and each build's ratio
    to the first build's (after / before)."""
    summary = {
        label: {
            ph: {k: _median([r[ph].get(k) for r in rs if ph in r]) for k in HEADLINE}
            for ph in PHASES
            if any(ph in r for r in rs)
        }
        for label, rs in runs.items()
    }
    labels = list(summary)
    ratios: dict = {}
    for label in labels[1:]:
        ratios[f"{label}/{labels[0]}"] = {
            ph: {
                k: round(v / b, 2)
                for k in HEADLINE
                if (v := summary[label][ph].get(k)) is not None and (b := summary[labels[0]][ph].get(k))
            }
            for ph in summary[label]
            if ph in summary[labels[0]]
        }
    return summary, ratios


def _dists(specs: list[str]) -> list[tuple[str, Path]]:
    out = []
    for i, spec in enumerate(specs):
        label, _, path = spec.rpartition("=") if "=" in spec else (f"build{i + 1}", "", spec)
        dist = Path(path).resolve()
        if not (dist / "index.html").is_file():
            sys.exit(f"--dist {spec}: no index.html in {dist} (build one with `npx vite build --outDir DIR`)")
        out.append((label, dist))
    if len({label for label, _ in out}) != len(out):
        sys.exit("--dist: labels must differ")
    return out


async def run(args) -> dict:
    from playwright.async_api import async_playwright

    settings = Settings()
    server = None
    dists = _dists(args.dist)
    if args.url:
        if not args.token:
            sys.exit("--url needs --token (an admin or coordinator of --campaign)")
        if dists:
            sys.exit("--dist starts its own servers: not with --url")
        base, token = args.url.rstrip("/"), args.token
        campaign_id = await _campaign_id(settings, args.campaign)
        redis_url = args.redis_url or settings.redis_url
    else:
        redis_url = args.redis_url or _with_db(settings.redis_url, args.redis_db)
        campaign_id, token = await _admin_token(settings, args.campaign)
        import redis

        from server.redis import volunteer_state_key

        redis.Redis.from_url(redis_url).delete(volunteer_state_key(campaign_id))  # our own db: start clean
        if not dists:
            server, base = _start_server(settings, redis_url)

    ctx = mp.get_context("spawn")
    ready, stop, out = ctx.Event(), ctx.Event(), ctx.Queue()
    pub = ctx.Process(
        target=_publisher, args=(redis_url, campaign_id, args.volunteers, args.interval, ready, stop, out), daemon=True
    )
    pub.start()
    result: dict = {
        "bench": "web_fps",
        "volunteers": args.volunteers,
        "deltas_per_s": round(args.volunteers / args.interval, 1),
        "frames_per_second_server": settings.live_frames_per_second,
    }
    try:
        if not ready.wait(60):
            sys.exit("the publisher did not fill the state hash in 60 s")
        async with async_playwright() as p:
            browser = await p.chromium.launch(executable_path=args.chromium, args=CHROMIUM_ARGS, headless=True)
            if not dists:
                result.update(await _measure(browser, args, base, token, server.pid if server else args.server_pid))
            else:
                # One server per measurement, serving that build (QUADRILLER_WEB_DIST), started
                # only for it. Builds alternate (A B, then B A, ...) so that drift in the machine's
                # load over the run weighs on each alike; compare their ratios, not absolute figures.
                runs: dict[str, list[dict]] = {label: [] for label, _ in dists}
                for r in range(args.rounds):
                    for label, dist in dists if r % 2 == 0 else dists[::-1]:
                        print(f"round {r + 1}/{args.rounds}: {label} ({dist})", file=sys.stderr)
                        srv, url = _start_server(settings, redis_url, dist)
                        try:
                            runs[label].append(await _measure(browser, args, url, token, srv.pid))
                        finally:
                            stop_process(srv)
                first = next(iter(runs.values()))[0]
                result["renderer"], result["polygons"] = first["renderer"], first["polygons"]
                result["builds"], result["ratios"] = _compare(runs)
                result["runs"] = runs
            await browser.close()
    finally:
        stop.set()
        try:
            pub_out = out.get(timeout=15)
            result["published"] = pub_out["sent"]
            result["published_per_s"] = round(pub_out["sent"] / pub_out["seconds"], 1)
        except Exception:  # noqa: BLE001 - the publisher died: the figures above still stand
            pass
        pub.join(10)
        if server is not None:
            server.terminate()
            try:
                server.wait(10)
            except subprocess.TimeoutExpired:
                server.kill()
    # Headline figures, as the issue asks: fps and main-thread ms per update, zoomed in.
    if not dists:
        zin = result.get("zoomed_in", {})
        result["fps"] = zin.get("raf_fps")
        result["main_ms_per_update"] = zin.get("main_ms_per_update")
        result["volunteers_drawn"] = zin.get("volunteers")
    return result


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--volunteers", type=int, default=5000)
    ap.add_argument("--seconds", type=float, default=20.0, help="measured time, split between the two zooms")
    ap.add_argument("--interval", type=float, default=5.0, help="seconds between two deltas of a volunteer")
    ap.add_argument(
        "--campaign",
        default=BENCH_CAMPAIGN,
        help="without --url: created with Paris imported when missing (default %(default)s)",
    )
    ap.add_argument("--url", help="an HQ server already running (then also --token and --redis-url)")
    ap.add_argument("--token")
    ap.add_argument("--server-pid", type=int, help="with --url: the server's pid, for its CPU time")
    ap.add_argument(
        "--redis-url", help="the Redis the server reads (default: QUADRILLER_REDIS_URL's server, db --redis-db)"
    )
    ap.add_argument("--redis-db", type=int, default=13)
    ap.add_argument("--zoom-in", type=float, default=14.0)
    ap.add_argument("--zoom-out", type=float, default=11.5)
    ap.add_argument("--width", type=int, default=1280)
    ap.add_argument("--height", type=int, default=800)
    ap.add_argument("--chromium", default=CHROMIUM)
    ap.add_argument("--profile", action="store_true", help="add a 4 s CPU profile's top self-time functions")
    ap.add_argument(
        "--areas-off",
        action="store_true",
        help="add a third phase, zoomed in with the area layers hidden (what the polygons cost)",
    )
    ap.add_argument(
        "--dist",
        action="append",
        default=[],
        metavar="[LABEL=]DIR",
        help="measure this front-end build (a vite outDir) instead of the server's web/dist; "
        "repeat to compare builds in one run (ratios are to the first)",
    )
    ap.add_argument(
        "--rounds", type=int, default=1, help="with --dist: measure each build this many times, alternating their order"
    )
    ap.add_argument(
        "--warmup",
        type=float,
        default=0.0,
        help="seconds to wait after the page loaded, before measuring (trails grow to 10 points in ~50 s)",
    )
    args = ap.parse_args(argv)
    result = asyncio.run(run(args))
    sys.stdout.write(orjson.dumps(result).decode() + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
