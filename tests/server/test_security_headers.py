"""Security headers on the HQ server's responses."""

from __future__ import annotations

import httpx

from server.security_headers import content_security_policy


async def test_strict_headers_on_pages_and_api(client):
    for path in ("/api/config", "/api/me"):
        r = await client.get(path)
        h = r.headers
        csp = h["content-security-policy"]
        assert "script-src 'self';" in csp and "unsafe-inline" not in csp and "unsafe-eval" not in csp
        assert "frame-ancestors 'none'" in csp and h["x-frame-options"] == "DENY"
        assert h["referrer-policy"] == "no-referrer" and h["x-content-type-options"] == "nosniff"
        assert "strict-transport-security" not in h  # plain http: HSTS means nothing here


async def test_hsts_over_tls(app_state):
    app, state = app_state

    async def with_state(scope, receive, send):
        scope["state"] = dict(state)
        await app(scope, receive, send)

    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=with_state), base_url="https://hq.test") as c:
        r = await c.get("/api/config")
    assert r.headers["strict-transport-security"].startswith("max-age=")


def test_policy_allows_the_ingest_and_the_tiles_from_settings(settings):
    s = settings.model_copy(
        update={
            "ingest_public_url": "wss://ingest.example.org/ws/pings",
            "basemap_url": "https://{s}.tiles.example.net/{z}/{x}/{y}.png",
        }
    )
    csp = content_security_policy(s)
    assert "wss://ingest.example.org" in csp and "https://ingest.example.org" in csp
    assert "https://a.tiles.example.net" in csp


async def test_docs_page_has_its_own_policy(client):
    """Swagger UI comes from a CDN with an inline bootstrap: /docs only gets that looser policy."""
    csp = (await client.get("/docs")).headers["content-security-policy"]
    assert "https://cdn.jsdelivr.net" in csp and "frame-ancestors 'none'" in csp
