"""Security headers on every HQ response.

The HQ page and the phone page keep their API token in localStorage, so any script injected
into them is account takeover: a strict Content-Security-Policy (scripts only from our own
origin, no inline script, no eval) is the second line behind escaping. Framing is refused
(clickjacking of "End shift" or "Send team"), referrers are never sent (URLs may carry a
campaign slug), and HSTS is set when the request came over TLS.

A pure ASGI middleware (not BaseHTTPMiddleware): it adds headers to the response start and
leaves websockets and streaming bodies untouched.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from server.public_urls import ingest_http_url, ingest_ws_url
from server.settings import Settings

# FastAPI's /docs and /redoc pages load Swagger UI / ReDoc from a CDN with an inline bootstrap
# script: they get a policy of their own, looser, and hold no token of ours in storage.
DOCS_PATHS = ("/docs", "/redoc", "/docs/oauth2-redirect")
DOCS_CSP = (
    "default-src 'self'; script-src 'self' 'unsafe-inline' https://cdn.jsdelivr.net; "
    "style-src 'self' 'unsafe-inline' https://cdn.jsdelivr.net; img-src 'self' data: https:; "
    "connect-src 'self'; worker-src 'self' blob:; object-src 'none'; base-uri 'none'; frame-ancestors 'none'"
)
HSTS = b"max-age=31536000; includeSubDomains"


def _origin(url: str) -> str | None:
    parts = urlsplit(url.replace("{s}", "a").replace("{z}", "0").replace("{x}", "0").replace("{y}", "0"))
    return f"{parts.scheme}://{parts.netloc}" if parts.scheme and parts.netloc else None


def content_security_policy(settings: Settings) -> str:
    """The app's policy: its own origin, plus the ingest service (websocket and the apps' URL)
    and the optional base-map tile server, all from settings."""
    connect = ["'self'", _origin(ingest_ws_url(settings)), _origin(ingest_http_url(settings))]
    images = ["'self'", "data:", "blob:"]
    if settings.basemap_url and (tiles := _origin(settings.basemap_url)):
        images.append(tiles)
        connect.append(tiles)
    return (
        "default-src 'self'; script-src 'self'; style-src 'self'; "
        f"img-src {' '.join(images)}; connect-src {' '.join(c for c in dict.fromkeys(connect) if c)}; "
        "worker-src 'self' blob:; font-src 'self'; object-src 'none'; base-uri 'none'; "
        "form-action 'self'; frame-ancestors 'none'"
    )


class SecurityHeaders:
    def __init__(self, app, settings: Settings) -> None:
        self.app = app
        common = [
            (b"x-content-type-options", b"nosniff"),
            (b"x-frame-options", b"DENY"),
            (b"referrer-policy", b"no-referrer"),
            (b"permissions-policy", b"geolocation=(self), camera=(), microphone=(), payment=()"),
            (b"cross-origin-opener-policy", b"same-origin"),
        ]
        self.app_headers = common + [(b"content-security-policy", content_security_policy(settings).encode())]
        self.docs_headers = common + [(b"content-security-policy", DOCS_CSP.encode())]

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        extra = self.docs_headers if scope["path"] in DOCS_PATHS else self.app_headers
        if scope.get("scheme") == "https":
            extra = extra + [(b"strict-transport-security", HSTS)]

        async def with_headers(message):
            if message["type"] == "http.response.start":
                have = {k.lower() for k, _ in message.get("headers", [])}
                message["headers"] = list(message.get("headers", [])) + [h for h in extra if h[0] not in have]
            await send(message)

        await self.app(scope, receive, with_headers)
