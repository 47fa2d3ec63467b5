"""Compressed answers decode to the same bytes, with the right headers; static files come
precompressed from the build, with caching headers that match how they are named."""

from __future__ import annotations

import gzip

import brotli
import pytest

from server.web.compression import MIN_BYTES, choose_encoding
from tests.conftest import add_user, bearer

DECODE = {"br": brotli.decompress, "gzip": gzip.decompress}


@pytest.mark.parametrize(
    "header, coding",
    [
        ("gzip, deflate, br, zstd", "br"),
        ("gzip", "gzip"),
        ("br;q=0, gzip", "gzip"),
        ("GZIP;q=0.5", "gzip"),
        ("identity", None),
        ("", None),
        ("gzip;q=0, br;q=0", None),
        ("deflate", None),
    ],
)
def test_choose_encoding(header, coding):
    assert choose_encoding(header) == coding


async def raw_get(client, url: str, coding: str, **headers):
    """Status, headers and the body as sent (httpx would decode it)."""
    async with client.stream("GET", url, headers={"Accept-Encoding": coding, **headers}) as r:
        body = b"".join([chunk async for chunk in r.aiter_raw()])
    return r.status_code, r.headers, body


async def test_the_stations_geojson_is_compressed_and_decodes_to_the_same_bytes(paris, pool, client):
    user = await add_user(pool, paris["slug"], "coordinator")
    url = f"/api/campaigns/{paris['slug']}/areas?level=polling_station"
    status, headers, plain = await raw_get(client, url, "identity", **bearer(user["token"]))
    assert status == 200 and "content-encoding" not in headers
    assert "accept-encoding" in headers["vary"].lower()
    assert len(plain) > 1_000_000
    for coding in ("br", "gzip"):
        status, headers, body = await raw_get(client, url, coding, **bearer(user["token"]))
        assert status == 200
        assert headers["content-encoding"] == coding
        assert headers["content-type"].startswith("application/geo+json")
        assert "accept-encoding" in headers["vary"].lower()
        assert int(headers["content-length"]) == len(body)
        assert len(body) < len(plain) / 5
        assert DECODE[coding](body) == plain


async def test_small_answers_and_errors_are_left_alone(paris, pool, client):
    status, headers, body = await raw_get(client, "/healthz", "br")
    assert status == 200 and "content-encoding" not in headers and len(body) < MIN_BYTES
    # a problem-details error is JSON too: small, sent as is, still decodable by any client
    status, headers, body = await raw_get(
        client,
        f"/api/campaigns/{paris['slug']}/areas?level=nope",
        "br",
        **bearer((await add_user(pool, paris["slug"], "coordinator"))["token"]),
    )
    assert status == 422 and "content-encoding" not in headers


def dist_file(settings, pattern: str):
    found = sorted((settings.web_dist / "assets").glob(pattern))
    if not found:
        pytest.fail(f"web/dist has no {pattern}: scripts/test.sh builds it")
    return found[0]


async def test_hashed_assets_come_precompressed_and_are_cached_forever(settings, client):
    vendor = dist_file(settings, "vendor-*.js")
    plain = vendor.read_bytes()
    for coding in ("br", "gzip"):
        status, headers, body = await raw_get(client, f"/assets/{vendor.name}", coding)
        assert status == 200
        assert headers["content-encoding"] == coding
        assert headers["content-type"].startswith(("text/javascript", "application/javascript"))
        assert headers["cache-control"] == "public, max-age=31536000, immutable"
        assert "accept-encoding" in headers["vary"].lower()
        assert len(body) < len(plain) / 3
        assert DECODE[coding](body) == plain
    status, headers, body = await raw_get(client, f"/assets/{vendor.name}", "identity")
    assert status == 200 and "content-encoding" not in headers and body == plain


async def test_pages_are_revalidated_every_time(settings, client):
    page = (settings.web_dist / "index.html").read_bytes()
    status, headers, body = await raw_get(client, "/", "br")
    assert status == 200 and headers["cache-control"] == "no-cache"
    assert headers["content-type"].startswith("text/html")
    assert (brotli.decompress(body) if headers.get("content-encoding") == "br" else body) == page
    status, headers, _ = await raw_get(client, "/", "identity", **{"If-None-Match": headers["etag"]})
    assert status in (200, 304)


@pytest.mark.parametrize(
    "path", ["/assets/../index.html", "/assets/%2e%2e/%2e%2e/pyproject.toml", "/assets/nothing.js"]
)
async def test_nothing_outside_the_assets_and_no_unknown_file(client, path):
    status, _, _ = await raw_get(client, path, "br")
    assert status == 404


async def test_a_precompressed_variant_is_not_served_by_its_own_name(settings, client):
    vendor = dist_file(settings, "vendor-*.js")
    status, _, _ = await raw_get(client, f"/assets/{vendor.name}.br", "identity")
    assert status == 404
