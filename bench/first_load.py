"""HQ's first load on a 4G link: bytes moved and time to the first drawn map.

    python -m bench.first_load [--url http://127.0.0.1:8000 --token T --campaign SLUG]
        [--down-mbit 9 --up-mbit 3 --latency-ms 150]

Without --url it imports the demo city into QUADRILLER_DATABASE_URL if it is not there yet
(`quadriller demo setup`, Paris) and starts its own HQ server (`python -m server.cli serve`).
Headless Chromium (Debian's /usr/bin/chromium, through Playwright) opens HQ with an empty cache,
the network throttled through the DevTools protocol (Network.emulateNetworkConditions), and waits
until the polling stations are drawn (the areas deck's first render with them,
window.__quadriller.firstDraw). Prints ONE JSON line:

  bytes_transferred   every HTTP response until then, as received (headers + compressed body)
  first_draw_s        navigation start → polling stations drawn
  responses           the largest responses, url path → bytes, to see where the bytes go

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
                lambda e: urls.__setitem__(e["requestId"], urlsplit(e["response"]["url"]).path),
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
            # Where the time went: when the stations' request left and when its answer was in.
            timing = await page.evaluate("""() => performance.getEntriesByType('resource')
                .filter(e => e.name.includes('level=polling_station'))
                .map(e => [e.startTime, e.responseStart, e.responseEnd])[0] || null""")
            await asyncio.sleep(0.2)  # let the last loadingFinished events arrive
            by_path: dict[str, int] = {}
            for rid, n in sizes.items():
                path = urls.get(rid, "?")
                by_path[path] = by_path.get(path, 0) + n
        finally:
            await browser.close()
    largest = dict(sorted(by_path.items(), key=lambda kv: -kv[1])[:8])
    stations = (
        dict(zip(("request_s", "first_byte_s", "loaded_s"), (round(x / 1000, 3) for x in timing))) if timing else None
    )
    return {
        "bytes_transferred": sum(sizes.values()),
        "first_draw_s": round(first_draw_ms / 1000, 3),
        "stations": stations,
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
            )
            url = f"http://127.0.0.1:{port}"
        started = time.monotonic()
        result = asyncio.run(
            measure(url, token, campaign, args.down_mbit, args.up_mbit, args.latency_ms, args.timeout, args.identity)
        )
    finally:
        if server is not None:
            stop_process(server)
    result.update(
        {
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
