"""HTTP compression: brotli or gzip for API answers, chosen from Accept-Encoding.

HQ's first load is mostly JSON and GeoJSON (the polling stations' shapes and figures): text that
brotli shrinks about 8 to 10 times. Static files are compressed once at build time instead
(web/vite.config.ts writes .br and .gz beside each asset; server/web/static.py serves them).

Only whole answers are compressed (one body message): streamed answers (exports, files) pass
through unchanged, so a large download is never buffered in memory. Answers that already carry a
Content-Encoding, small ones and non-text types pass through too. Brotli runs at quality 5 here:
close to its best ratio on GeoJSON for a fraction of the CPU of quality 11 (which the build uses).
"""

from __future__ import annotations

import asyncio
import gzip

import brotli
from starlette.datastructures import Headers, MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

MIN_BYTES = 1024  # below this, the headers and a round trip cost more than the bytes saved
# Above this, compress in a worker thread (zlib and brotli release the GIL): the 1.9 MB stations
# GeoJSON takes ~0.1 s of brotli, which must not hold up the live feed's websockets meanwhile.
THREAD_BYTES = 64 * 1024
BROTLI_QUALITY = 5
GZIP_LEVEL = 6
COMPRESSIBLE = (
    "application/json",
    "application/geo+json",
    "application/problem+json",
    "application/javascript",
    "text/",
    "image/svg+xml",
)


def choose_encoding(accept_encoding: str) -> str | None:
    """ "br" or "gzip" when the client accepts it (brotli first: smaller), else None.
    A coding listed with q=0 is refused, as RFC 9110 says."""
    accepted = set()
    for part in accept_encoding.lower().split(","):
        name, _, params = part.strip().partition(";")
        q = params.strip()
        if q.startswith("q=") and _qvalue(q[2:]) == 0:
            continue
        accepted.add(name.strip())
    for coding in ("br", "gzip"):
        if coding in accepted:
            return coding
    return None


def _qvalue(text: str) -> float:
    try:
        return float(text)
    except ValueError:
        return 1.0


def compress(body: bytes, coding: str) -> bytes:
    if coding == "br":
        return brotli.compress(body, quality=BROTLI_QUALITY)
    return gzip.compress(body, compresslevel=GZIP_LEVEL, mtime=0)


def compressible(content_type: str) -> bool:
    return content_type.startswith(COMPRESSIBLE)


class CompressionMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        coding = choose_encoding(Headers(scope=scope).get("accept-encoding", ""))
        start: Message | None = None

        async def send_compressed(message: Message) -> None:
            nonlocal start
            if message["type"] == "http.response.start":
                start = message  # held until the first body message says whether it is whole
                return
            if start is None:
                await send(message)
                return
            held, start = start, None
            headers = MutableHeaders(raw=held["headers"])
            body = message.get("body", b"")
            if compressible(headers.get("content-type", "")) and "content-encoding" not in headers:
                headers.add_vary_header("Accept-Encoding")
                if coding and not message.get("more_body") and len(body) >= MIN_BYTES:
                    body = (
                        await asyncio.to_thread(compress, body, coding)
                        if len(body) >= THREAD_BYTES
                        else compress(body, coding)
                    )
                    headers["Content-Encoding"] = coding
                    headers["Content-Length"] = str(len(body))
                    message = {**message, "body": body}
            await send(held)
            await send(message)

        await self.app(scope, receive, send_compressed)
