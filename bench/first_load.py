"""HQ's first load on a 4G link: bytes moved and time to the first drawn map.

    python -m bench.first_load [--url http://127.0.0.1:8000 --token T --campaign SLUG]
        [--down-mbit 9 --up-mbit 3 --latency-ms 150] [--root DIR]

Without --url it imports the demo city into QUADRILLER_DATABASE_URL if it is not there yet
(`quadriller demo setup`, Paris) and starts its own HQ server (`python -m server.cli serve`).
Headless Chromium (Debian's /usr/bin/chromium, through Playwright) opens HQ with an empty cache,
the network throttled through the DevTools protocol (Network.emulateNetworkConditions), and waits
until the polling stations are drawn (the areas deck's first render with them,
window.__quadriller.firstDraw). Prints ONE JSON line:

  bytes_transferred   every HTTP response asked for until then, as received (headers +
                      compressed body)
  bytes_after_draw    the responses asked for after the first draw (the stations' figures) and
                      received before the measure ended
  first_draw_s        navigation start → polling stations drawn
  responses           the largest responses, url path → bytes, to see where the bytes go
  timeline            each request: when it left, its first byte, its end (s since navigation)
  stations_loaded_to_draw_s   the stations' answer in → drawn (parse, polygons, render)

--loads N loads HQ N times on the same server (a new browser, empty cache, each time): the first
load is the one above; `again` lists the others' figures (a server that has served the map before).
--root DIR starts the server from another source tree (its server/ and built web/dist): the
"before" of a comparison in one sitting, on the same database and demo campaign.

The live feed's websocket is not counted: it is not part of drawing the map.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlsplit

import orjson

from bench.procs import free_port, start_process, stop_process
from server.settings import Settings
from bench.chromium import CHROMIUM, CHROMIUM_ARGS


def _path_and_query(url: str) -> str:
    parts = urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "")


# Each request until now, by path and query (first of each): when it left, its first byte, its end
# (seconds since navigation start), in the order they left.
TIMELINE_JS = """() => {
  const r = x => Math.round(x) / 1000;
  const out = {};
  for (const e of performance.getEntriesByType('navigation').concat(performance.getEntriesByType('resource'))) {
    const u = new URL(e.name);
    const key = u.pathname + u.search;
    if (!(key in out)) out[key] = {request_s: r(e.startTime), first_byte_s: r(e.responseStart), loaded_s: r(e.responseEnd)};
  }
  return out;
}"""


async def measure(
    url: str,
    token: str,
    campaign: str | None,
    down_mbit: float,
    up_mbit: float,
    latency_ms: float,
    timeout_s: float,
    identity: bool = False,
) -> dict:
    from playwright.async_api import async_playwright

    async with async_playwright() as p:
        browser = await p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        try:
            # The page's CSP forbids eval, which Playwright's wait_for_function uses: bypass it for the probe.
            page = await browser.new_page(viewport={"width": 1400, "height": 900}, bypass_csp=True)
            if identity:
                await page.set_extra_http_headers({"Accept-Encoding": "identity"})
            cdp = await page.context.new_cdp_session(page)
            await cdp.send("Network.enable")
            await cdp.send("Network.setCacheDisabled", {"cacheDisabled": True})
            await cdp.send(
                "Network.emulateNetworkConditions",
                {
                    "offline": False,
                    "latency": latency_ms,
                    "downloadThroughput": down_mbit * 1e6 / 8,
                    "uploadThroughput": up_mbit * 1e6 / 8,
                },
            )
            urls: dict[str, str] = {}
            sizes: dict[str, int] = {}
            cdp.on(
                "Network.responseReceived",
                lambda e: urls.__setitem__(e["requestId"], _path_and_query(e["response"]["url"])),
            )
            cdp.on("Network.loadingFinished", lambda e: sizes.__setitem__(e["requestId"], int(e["encodedDataLength"])))
            errors: list[str] = []
            page.on("pageerror", lambda e: errors.append(str(e)))
            query = f"?campaign={campaign}" if campaign else ""
            await page.goto(f"{url}/{query}#token={token}", wait_until="commit")
            await page.wait_for_function(
                "window.__quadriller && window.__quadriller.firstDraw && "
                "window.__quadriller.firstDraw.polling_station !== undefined",
                timeout=timeout_s * 1000,
            )
            first_draw_ms = await page.evaluate("window.__quadriller.firstDraw.polling_station")
            # Where the time went: when each request left, its first byte and its last (the
            # stations' first answer is the first polling_station request).
            timing = await page.evaluate(TIMELINE_JS)
            await asyncio.sleep(0.2)  # let the last loadingFinished events arrive
            by_path: dict[str, int] = {}
            before_draw = after_draw = 0
            for rid, n in sizes.items():
                key = urls.get(rid, "?")
                # a request that left after the first draw (or after the timeline was read) did
                # not hold it up: the stations' figures, fetched once the map is drawn
                if key in timing and timing[key]["request_s"] * 1000 <= first_draw_ms:
                    before_draw += n
                    path = key.split("?")[0]
                    by_path[path] = by_path.get(path, 0) + n
                else:
                    after_draw += n
        finally:
            await browser.close()
    largest = dict(sorted(by_path.items(), key=lambda kv: -kv[1])[:8])
    stations = next((t for name, t in timing.items() if "level=polling_station" in name), None)
    return {
        "bytes_transferred": before_draw,
        "bytes_after_draw": after_draw,
        "first_draw_s": round(first_draw_ms / 1000, 3),
        "stations": stations,
        # stations' answer in → drawn: parse, polygons, first render (the browser's part alone)
        "stations_loaded_to_draw_s": round(first_draw_ms / 1000 - stations["loaded_s"], 3) if stations else None,
        "timeline": timing,
        "requests": len(sizes),
        "responses": largest,
        "page_errors": errors[:3],
    }


def _demo_token(settings: Settings) -> tuple[str, str]:
    """Import the demo city if needed (quadriller demo setup) and return (admin token, slug)."""
    from server.demo import SLUG

    token_file = Path(tempfile.mkdtemp(prefix="quadriller-first-load-")) / "token"
    subprocess.run(
        [sys.executable, "-m", "server.cli", "demo", "setup", "--token-file", str(token_file)],
        check=True,
        stdout=subprocess.DEVNULL,
        env={**os.environ, "QUADRILLER_DATABASE_URL": settings.database_url},
    )
    return token_file.read_text().strip(), SLUG


AGAIN = ("bytes_transferred", "bytes_after_draw", "first_draw_s", "stations", "stations_loaded_to_draw_s")


def _in_tree(root: str | None) -> dict:
    """Popen arguments that run the server from another source tree (its server package and its
    built web/dist), e.g. main's, unpacked with `git archive main | tar -x -C DIR`."""
    if root is None:
        return {}
    tree = Path(root).resolve()
    if not (tree / "server").is_dir() or not (tree / "web" / "dist" / "index.html").is_file():
        raise SystemExit(f"--root {tree}: needs server/ and a built web/dist/index.html")
    env = {**os.environ, "PYTHONPATH": str(tree), "QUADRILLER_WEB_DIST": str(tree / "web" / "dist")}
    return {"cwd": str(tree), "env": env}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--url", help="an HQ server to measure; default: start one on the demo campaign")
    ap.add_argument("--token", help="an admin or coordinator token (with --url)")
    ap.add_argument("--campaign", help="campaign slug (with --url; default: the token's first)")
    ap.add_argument("--down-mbit", type=float, default=9.0)
    ap.add_argument("--up-mbit", type=float, default=3.0)
    ap.add_argument("--latency-ms", type=float, default=150.0)
    ap.add_argument(
        "--identity",
        action="store_true",
        help="ask for uncompressed answers (Accept-Encoding: identity): the before/after",
    )
    ap.add_argument("--timeout", type=float, default=120.0, help="seconds to wait for the first draw")
    ap.add_argument(
        "--loads",
        type=int,
        default=1,
        help="load HQ this many times, each in a new browser (empty cache), on the same server: "
        "the first meets a server just started, the others one that has served the map before",
    )
    ap.add_argument("--root", help="start the server from this source tree instead (the 'before' of an A/B)")
    args = ap.parse_args(argv)
    server = None
    try:
        if args.url:
            if not args.token:
                ap.error("--url needs --token")
            url, token, campaign = args.url.rstrip("/"), args.token, args.campaign
        else:
            settings = Settings()
            token, campaign = _demo_token(settings)
            port = free_port()
            server = start_process(
                [sys.executable, "-m", "server.cli", "serve", "--host", "127.0.0.1", "--port", str(port)],
                port,
                "HQ server",
                timeout=60,
                **_in_tree(args.root),
            )
            url = f"http://127.0.0.1:{port}"
        started = time.monotonic()
        runs = [
            asyncio.run(
                measure(
                    url, token, campaign, args.down_mbit, args.up_mbit, args.latency_ms, args.timeout, args.identity
                )
            )
            for _ in range(args.loads)
        ]
        result = runs[0]
        if len(runs) > 1:
            result["again"] = [{k: r[k] for k in AGAIN} for r in runs[1:]]
    finally:
        if server is not None:
            stop_process(server)
    result.update(
        {
            "root": str(Path(args.root).resolve()) if args.root else "this tree",
            "accept_encoding": "identity" if args.identity else "browser",
            "down_mbit": args.down_mbit,
            "latency_ms": args.latency_ms,
            "wall_s": round(time.monotonic() - started, 2),
            "loadavg": os.getloadavg()[0],
        }
    )
    print(orjson.dumps(result).decode(), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
