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

Prints ONE JSON line. Per phase:
- `raf_fps`: requestAnimationFrame callbacks per second (how often the page could paint);
- `deck_redraws_per_s`: deck.gl frames drawn (window.__quadriller.frames, from onAfterRender);
- `live_frames_per_s` and `main_ms_per_update`: main-thread busy time (Chrome DevTools Protocol
  Performance.getMetrics TaskDuration delta) divided by the live frames received; `script_ms_per_update`
  the same for ScriptDuration; `handler_ms_per_update` the websocket handler alone (parse + store);
- `longtasks` (PerformanceObserver, > 50 ms): count, total and max ms;
- `frame_lag_ms`: p50/p99 from the server's frame time "t" to the end of the page's handler;
- `volunteers` in the store and `volunteers_in_view` (projected inside the viewport).
Plus `polygons` (polling stations loaded), `renderer` (WebGL UNMASKED_RENDERER: SwiftShader here)
and, with --profile, the top self-time functions of a 4 s CPU profile taken while zoomed in.
Frames per second on a software renderer say little about a real GPU; main-thread milliseconds
per update are the figure to compare.
"""
from __future__ import annotations

import argparse
import asyncio
import math
import multiprocessing as mp
import os
import random
import subprocess
import sys
import time
import uuid

import orjson

from bench.procs import free_port, start_process
from server.settings import PROJECT_ROOT, Settings

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"]
WALK_MPS = 1.3
ID_BASE = 8_000_000  # synthetic volunteer ids: the live feed never looks them up
PARIS = (2.255, 48.815, 2.415, 48.902)  # west, south, east, north
CENTRE = (2.347, 48.859)
# Its own campaign, not the dev `paris`: Redis pub/sub channels are not scoped by database number,
# so a bench publishing on `paris`'s channel in Redis db 13 would still reach (and be polluted by)
# every server and ingest process watching `paris` on db 0.
BENCH_CAMPAIGN = "bench-web-fps"

# Instrumentation installed before the page's own scripts run.
INIT_JS = r"""
(() => {
  const B = window.__bench = {msgs: 0, bytes: 0, handlerMs: 0, handlerMax: 0, lags: [], raf: 0,
                              longtasks: 0, longMs: 0, longMax: 0};
  const desc = Object.getOwnPropertyDescriptor(WebSocket.prototype, 'onmessage');
  Object.defineProperty(WebSocket.prototype, 'onmessage', {
    configurable: true, enumerable: true,
    get() { return desc.get.call(this); },
    set(fn) {
      if (typeof fn !== 'function') return desc.set.call(this, fn);
      desc.set.call(this, function (ev) {
        const t0 = performance.now();
        try { return fn.call(this, ev); } finally {
          const dt = performance.now() - t0;
          B.msgs++; B.handlerMs += dt; if (dt > B.handlerMax) B.handlerMax = dt;
          if (typeof ev.data === 'string') {
            B.bytes += ev.data.length;
            const m = /^\{"type":"deltas","t":(\d+)/.exec(ev.data.slice(0, 48));
            if (m) B.lags.push(Date.now() - Number(m[1]));
          }
        }
      });
    }
  });
  const loop = () => { B.raf++; requestAnimationFrame(loop); };
  requestAnimationFrame(loop);
  try {
    new PerformanceObserver(list => {
      for (const e of list.getEntries()) {
        B.longtasks++; B.longMs += e.duration; if (e.duration > B.longMax) B.longMax = e.duration;
      }
    }).observe({type: 'longtask', buffered: true});
  } catch (e) { /* no longtask support */ }
})();
"""

SAMPLE_JS = """() => {
  const B = window.__bench, q = window.__quadriller;
  const vp = q.deck.getViewports()[0];
  let inView = 0;
  const lags = B.lags.splice(0);
  return {msgs: B.msgs, bytes: B.bytes, handlerMs: B.handlerMs, handlerMax: B.handlerMax, raf: B.raf,
          longtasks: B.longtasks, longMs: B.longMs, longMax: B.longMax, lags,
          frames: q.frames, volunteers: q.live ? q.live.volunteers : 0,
          zoom: vp ? vp.zoom : null, width: vp ? vp.width : 0, height: vp ? vp.height : 0,
          t: performance.now()};
}"""

IN_VIEW_JS = """(points) => {
  const vp = window.__quadriller.deck.getViewports()[0];
  let n = 0;
  for (const p of points) { const [x, y] = vp.project(p); if (x >= 0 && y >= 0 && x < vp.width && y < vp.height) n++; }
  return n;
}"""

RENDERER_JS = """() => {
  const gl = document.createElement('canvas').getContext('webgl2') || document.createElement('canvas').getContext('webgl');
  if (!gl) return null;
  const ext = gl.getExtension('WEBGL_debug_renderer_info');
  return ext ? gl.getParameter(ext.UNMASKED_RENDERER_WEBGL) : gl.getParameter(gl.RENDERER);
}"""


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


class Walker:
    __slots__ = ("v", "lon", "lat", "hdg", "team", "seq")

    def __init__(self, i: int, rng: random.Random) -> None:
        self.v = ID_BASE + i
        self.lon = rng.uniform(PARIS[0] + 0.02, PARIS[2] - 0.01)
        self.lat = rng.uniform(PARIS[1] + 0.01, PARIS[3] - 0.01)
        self.hdg = rng.uniform(0, 360)
        self.team = i % 12 + 1
        self.seq = 0

    def step(self, seconds: float, rng: random.Random) -> None:
        self.hdg = (self.hdg + rng.uniform(-25, 25)) % 360
        d = WALK_MPS * seconds
        rad = math.radians(self.hdg)
        self.lat += d * math.cos(rad) / 111_320
        self.lon += d * math.sin(rad) / (111_320 * math.cos(math.radians(self.lat)))
        if not (PARIS[0] < self.lon < PARIS[2] and PARIS[1] < self.lat < PARIS[3]):
            self.hdg = (self.hdg + 180) % 360

    def delta(self, now: float) -> bytes:
        import h3

        self.seq += 1
        return orjson.dumps({
            "type": "ping", "v": self.v, "team": self.team, "seq": self.seq, "t": now, "rt": int(now * 1000),
            "lon": round(self.lon, 6), "lat": round(self.lat, 6), "acc": 8.0, "hdg": round(self.hdg, 1),
            "spd": WALK_MPS, "bat": 0.8, "cell": h3.latlng_to_cell(self.lat, self.lon, 11),
            "ps": None, "nb": None, "ds": None, "zone": None, "ev": None, "low_acc": False,
        })


def _publisher(redis_url: str, campaign_id: int, volunteers: int, interval: float, ready, stop, out) -> None:
    """Own process: fills the state hash, then publishes each volunteer every `interval` s."""
    import redis

    from server.redis import live_channel, volunteer_state_key

    rng = random.Random(7)
    r = redis.Redis.from_url(redis_url)
    channel, key = live_channel(campaign_id), volunteer_state_key(campaign_id)
    walkers = [Walker(i, rng) for i in range(volunteers)]
    now = time.time()
    pipe = r.pipeline(transaction=False)
    for w in walkers:
        pipe.hset(key, str(w.v), w.delta(now))
    pipe.execute()
    ready.set()
    rate = volunteers / interval
    sent, i, start = 0, 0, time.monotonic()
    while not stop.is_set():
        due = int(rate * (time.monotonic() - start)) - sent
        if due > 0:
            pipe = r.pipeline(transaction=False)
            now = time.time()
            for _ in range(due):
                w = walkers[i]
                i = (i + 1) % volunteers
                w.step(interval, rng)
                d = w.delta(now)
                pipe.publish(channel, d)
                pipe.hset(key, str(w.v), d)
            pipe.execute()
            sent += due
        time.sleep(0.01)
    out.put({"sent": sent, "seconds": time.monotonic() - start,
             "points": [[w.lon, w.lat] for w in walkers]})


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
            "SELECT count(*) FROM areas WHERE campaign_id = $1 AND level = 'polling_station'", campaign["id"])
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


def _start_server(settings: Settings, redis_url: str) -> tuple[subprocess.Popen, str]:
    port = free_port()
    env = {**os.environ, "QUADRILLER_DATABASE_URL": settings.database_url, "QUADRILLER_REDIS_URL": redis_url}
    try:
        proc = start_process([sys.executable, "-m", "server.cli", "serve", "--host", "127.0.0.1", "--port", str(port)],
                             port, "the HQ server", timeout=60, env=env, cwd=str(PROJECT_ROOT))
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
    await page.evaluate(
        """(z) => window.__quadriller.deck.setProps({initialViewState: {longitude: %f, latitude: %f, zoom: z,
              pitch: 0, bearing: 0, minZoom: 3, maxZoom: 19}})""" % CENTRE, zoom)


async def _phase(page, cdp, name: str, zoom: float, seconds: float, server_pid: int | None,
                 points_for_view) -> dict:
    await _set_view(page, zoom)
    await asyncio.sleep(2.0)  # settle: the new zoom's layers are built and drawn
    m0, s0, cpu0 = await _metrics(cdp), await page.evaluate(SAMPLE_JS), _cpu_seconds(server_pid)
    await asyncio.sleep(seconds)
    m1, s1, cpu1 = await _metrics(cdp), await page.evaluate(SAMPLE_JS), _cpu_seconds(server_pid)
    wall = (s1["t"] - s0["t"]) / 1000.0
    updates = max(1, s1["msgs"] - s0["msgs"])
    lags = s1["lags"]
    out = {
        "zoom": round(s1["zoom"], 2) if s1["zoom"] is not None else zoom,
        "seconds": round(wall, 2),
        "raf_fps": round((s1["raf"] - s0["raf"]) / wall, 1),
        "deck_redraws_per_s": round((s1["frames"] - s0["frames"]) / wall, 2),
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
    if points_for_view is not None:
        out["volunteers_in_view"] = await page.evaluate(IN_VIEW_JS, points_for_view)
    if cpu0 is not None and cpu1 is not None:
        out["server_cpu"] = round((cpu1 - cpu0) / wall, 3)
    return out


def _summarise_profile(profile: dict, top: int = 12) -> list[dict]:
    """Self time per function (url:line:col), and per bucket (app, vendor, GC, idle, program)."""
    nodes = {n["id"]: n for n in profile["nodes"]}
    self_us: dict[int, float] = {}
    samples, deltas = profile.get("samples", []), profile.get("timeDeltas", [])
    for sid, dt in zip(samples, deltas):
        self_us[sid] = self_us.get(sid, 0.0) + dt
    by_fn: dict[tuple, float] = {}
    for nid, us in self_us.items():
        cf = nodes[nid]["callFrame"]
        url = cf.get("url", "").rsplit("/", 1)[-1]
        key = (cf.get("functionName") or "(anonymous)", url, cf.get("lineNumber", -1) + 1, cf.get("columnNumber", -1) + 1)
        by_fn[key] = by_fn.get(key, 0.0) + us
    total = sum(by_fn.values()) or 1.0
    ranked = sorted(by_fn.items(), key=lambda kv: -kv[1])
    return [{"fn": k[0], "at": f"{k[1]}:{k[2]}:{k[3]}" if k[1] else "", "ms": round(v / 1000, 1),
             "share": round(v / total, 3)} for k, v in ranked[:top]]


async def run(args) -> dict:
    from playwright.async_api import async_playwright

    settings = Settings()
    server = None
    if args.url:
        if not args.token:
            sys.exit("--url needs --token (an admin or coordinator of --campaign)")
        base, token = args.url.rstrip("/"), args.token
        campaign_id = await _campaign_id(settings, args.campaign)
        redis_url = args.redis_url or settings.redis_url
    else:
        redis_url = args.redis_url or _with_db(settings.redis_url, args.redis_db)
        campaign_id, token = await _admin_token(settings, args.campaign)
        import redis

        from server.redis import volunteer_state_key
        redis.Redis.from_url(redis_url).delete(volunteer_state_key(campaign_id))  # our own db: start clean
        server, base = _start_server(settings, redis_url)

    ctx = mp.get_context("spawn")
    ready, stop, out = ctx.Event(), ctx.Event(), ctx.Queue()
    pub = ctx.Process(target=_publisher, args=(redis_url, campaign_id, args.volunteers, args.interval,
                                               ready, stop, out), daemon=True)
    pub.start()
    result: dict = {"bench": "web_fps", "volunteers": args.volunteers,
                    "deltas_per_s": round(args.volunteers / args.interval, 1)}
    try:
        if not ready.wait(60):
            sys.exit("the publisher did not fill the state hash in 60 s")
        async with async_playwright() as p:
            browser = await p.chromium.launch(executable_path=args.chromium, args=CHROMIUM_ARGS, headless=True)
            page = await browser.new_page(viewport={"width": args.width, "height": args.height})
            await page.add_init_script(INIT_JS)
            cdp = await page.context.new_cdp_session(page)
            # Wall-clock task time: with SwiftShader the main thread also waits on the GPU process,
            # which thread CPU time (timeDomain "threadTicks") would not count.
            await cdp.send("Performance.enable", {"timeDomain": "timeTicks"})
            t0 = time.monotonic()
            await page.goto(f"{base}/?campaign={args.campaign}#token={token}")
            await page.wait_for_function("document.body.dataset.layersLoaded === 'true'", timeout=120_000)
            await page.wait_for_function(
                f"window.__quadriller.live && window.__quadriller.live.volunteers >= {args.volunteers}",
                timeout=120_000)
            result["load_s"] = round(time.monotonic() - t0, 1)
            result["renderer"] = await page.evaluate(RENDERER_JS)
            result["polygons"] = await page.evaluate("window.__quadriller.counts.polling_station")
            result["frames_per_second_server"] = settings.live_frames_per_second
            half = args.seconds / 2
            server_pid = server.pid if server else args.server_pid
            # Positions for the in-view count come from the page's own store at the end of a phase.
            points_js = """() => { const out = []; const d = window.__quadriller.deck; const l = d.props.layers.find(x => x.id === 'live-volunteers');
                                   for (const s of (l ? l.props.data : [])) out.push([s.v.lon, s.v.lat]); return out; }"""
            result["zoomed_in"] = await _phase(page, cdp, "in", args.zoom_in, half, server_pid, None)
            result["zoomed_in"]["volunteers_in_view"] = await page.evaluate(IN_VIEW_JS, await page.evaluate(points_js))
            if args.profile:
                await cdp.send("Profiler.enable")
                await cdp.send("Profiler.setSamplingInterval", {"interval": 200})
                await cdp.send("Profiler.start")
                await asyncio.sleep(4)
                prof = (await cdp.send("Profiler.stop"))["profile"]
                result["profile_zoomed_in_top"] = _summarise_profile(prof)
            result["zoomed_out"] = await _phase(page, cdp, "out", args.zoom_out, half, server_pid, None)
            if args.areas_off:
                # Diagnosis: the same live load with the three area layers hidden (points only).
                for level in ("district", "neighbourhood", "polling_station"):
                    box = page.locator(f"#toggle-{level}")
                    if await box.is_checked():
                        await box.uncheck()
                result["zoomed_in_areas_hidden"] = await _phase(page, cdp, "in-no-areas", args.zoom_in, half,
                                                                server_pid, None)
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
    ap.add_argument("--campaign", default=BENCH_CAMPAIGN,
                    help="without --url: created with Paris imported when missing (default %(default)s)")
    ap.add_argument("--url", help="an HQ server already running (then also --token and --redis-url)")
    ap.add_argument("--token")
    ap.add_argument("--server-pid", type=int, help="with --url: the server's pid, for its CPU time")
    ap.add_argument("--redis-url", help="the Redis the server reads (default: QUADRILLER_REDIS_URL's server, db --redis-db)")
    ap.add_argument("--redis-db", type=int, default=13)
    ap.add_argument("--zoom-in", type=float, default=14.0)
    ap.add_argument("--zoom-out", type=float, default=11.5)
    ap.add_argument("--width", type=int, default=1280)
    ap.add_argument("--height", type=int, default=800)
    ap.add_argument("--chromium", default=CHROMIUM)
    ap.add_argument("--profile", action="store_true", help="add a 4 s CPU profile's top self-time functions")
    ap.add_argument("--areas-off", action="store_true",
                    help="add a third phase, zoomed in with the area layers hidden (what the polygons cost)")
    args = ap.parse_args(argv)
    result = asyncio.run(run(args))
    sys.stdout.write(orjson.dumps(result).decode() + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
