"""Where phones reach the ingest service, built from settings only: shared by /api/config
(server/config_routes.py) and the Content-Security-Policy (server/security_headers.py)."""

from __future__ import annotations

from server.settings import Settings


def ingest_base(settings: Settings) -> tuple[bool, str]:
    """(TLS?, host:port) of the ingest service as phones reach it, from settings only: never
    from the request's Host header, which a client chooses (`Host: evil.example` must not send
    a phone's positions elsewhere)."""
    if settings.ingest_public_url:
        scheme, _, rest = settings.ingest_public_url.partition("://")
        return scheme in ("wss", "https"), rest.split("/", 1)[0]
    host = settings.public_host or settings.ingest_host
    if host in ("0.0.0.0", "::"):  # listening everywhere says nothing of the name phones use
        host = "127.0.0.1"
    if ":" in host:  # IPv6 literal
        host = f"[{host}]"
    return False, f"{host}:{settings.ingest_port}"


def ingest_ws_url(settings: Settings) -> str:
    """Where the volunteer page sends pings."""
    if settings.ingest_public_url:
        return settings.ingest_public_url
    tls, base = ingest_base(settings)
    return f"{'wss' if tls else 'ws'}://{base}/ws/pings"


def ingest_http_url(settings: Settings) -> str:
    """The base URL the OwnTracks and Traccar Client settings point at (…/api/owntracks, …/api/osmand)."""
    tls, base = ingest_base(settings)
    return f"{'https' if tls else 'http'}://{base}"
