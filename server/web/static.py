"""The built front end (web/dist), served with precompressed variants and caching headers.

The build (web/vite.config.ts) writes `name.br` and `name.gz` beside each asset and page worth
compressing; a request that accepts one gets it as is, with Content-Encoding, the original's
Content-Type and `Vary: Accept-Encoding`: no compression work per request.

Caching: files under /assets carry a content hash in their name (Vite), so they never change
under the same URL: `Cache-Control: public, max-age=31536000, immutable`. The pages name those
hashed files, so they must always be revalidated (`no-cache`; the ETag makes that a 304).
"""

from __future__ import annotations

import mimetypes
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.responses import FileResponse

from server.errors import NotFound
from server.settings import Settings
from server.web.compression import choose_encoding

IMMUTABLE = "public, max-age=31536000, immutable"
REVALIDATE = "no-cache"
SUFFIX = {"br": ".br", "gzip": ".gz"}


def file_response(path: Path, request: Request, cache_control: str) -> FileResponse:
    """`path`, or its precompressed variant when the client accepts it and the build wrote it."""
    media_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
    headers = {"Cache-Control": cache_control, "Vary": "Accept-Encoding"}
    coding = choose_encoding(request.headers.get("accept-encoding", ""))
    if coding is not None:
        variant = path.with_name(path.name + SUFFIX[coding])
        if variant.is_file():
            headers["Content-Encoding"] = coding
            return FileResponse(variant, media_type=media_type, headers=headers)
    return FileResponse(path, media_type=media_type, headers=headers)


def asset_path(assets: Path, name: str) -> Path:
    """The file `name` under `assets`, refusing anything that would leave it."""
    path = (assets / name).resolve()
    if not path.is_relative_to(assets) or not path.is_file() or path.suffix in (".br", ".gz"):
        raise NotFound(f"no asset {name!r}")
    return path


def mount_web(app: FastAPI, settings: Settings) -> None:
    dist = settings.web_dist.resolve()
    index = dist / "index.html"
    if not index.exists():
        return
    assets = dist / "assets"

    @app.api_route("/assets/{name:path}", methods=["GET", "HEAD"], include_in_schema=False)
    async def asset(name: str, request: Request) -> FileResponse:
        return file_response(asset_path(assets, name), request, IMMUTABLE)

    @app.api_route("/", methods=["GET", "HEAD"], include_in_schema=False)
    async def hq_page(request: Request) -> FileResponse:
        return file_response(index, request, REVALIDATE)

    phone = dist / "volunteer.html"

    @app.api_route("/volunteer", methods=["GET", "HEAD"], include_in_schema=False)
    async def volunteer_page(request: Request) -> FileResponse:
        """The volunteer's phone page: shifts and location sharing (web/volunteer.html)."""
        if not phone.exists():
            raise NotFound("the volunteer page is not built (cd web && npm run build)")
        return file_response(phone, request, REVALIDATE)

    rights = dist / "rights.html"

    @app.api_route("/rights", methods=["GET", "HEAD"], include_in_schema=False)
    async def rights_page(request: Request) -> FileResponse:
        """HQ's people and rights page: invites, contacts, consents, topics, audit (web/rights.html)."""
        if not rights.exists():
            raise NotFound("the rights page is not built (cd web && npm run build)")
        return file_response(rights, request, REVALIDATE)
