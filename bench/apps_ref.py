"""bench.apps' parse-only reference: the apps' endpoints, parsed and checked, nothing stored.

    python -m bench.apps_ref --port P

A minimal ASGI app under uvicorn, configured as the ingest service is (ingest/app.py:
`uvicorn_config`, same log configuration and level): it reads the body, decodes the Basic
credentials (OwnTracks) or the query string (OsmAnd, with the ingest's `form_fields`), builds
the Ping with the ingest's own parsers and runs the same checks (`check_ping`), then answers 200
(or 400 with the reason). No authentication lookup, no database, no Redis: the ceiling of the
web stack for these requests.
"""

from __future__ import annotations

import argparse
import base64
import binascii
import time

import orjson
import uvicorn
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, Response

from ingest.device_http import form_fields
from ingest.owntracks import NAMES as OWNTRACKS_NAMES
from ingest.owntracks import to_ping
from ingest.protocol import Limits, PingError, check_ping
from ingest.traccar import CLASSIC_NAMES, classic_ping
from server.accesslog import log_config
from server.settings import Settings

LIMITS = Limits.from_settings(Settings())


def _owntracks(headers: list[tuple[bytes, bytes]], body: bytes) -> bytes:
    auth = dict(headers).get(b"authorization", b"")
    scheme, _, value = auth.partition(b" ")
    try:
        login, sep, token = base64.b64decode(value.strip(), validate=True).decode().partition(":")
    except (binascii.Error, UnicodeDecodeError):
        raise PingError(None, "unauthenticated", "malformed Basic credentials") from None
    if scheme.lower() != b"basic" or not sep or not login or not token:
        raise PingError(None, "unauthenticated", "HTTP Basic auth required")
    msg = orjson.loads(body)
    if not isinstance(msg, dict):
        raise PingError(None, "malformed", "expected a JSON object with _type")
    if msg.get("_type") == "location":
        check_ping(to_ping(msg), time.time(), LIMITS, OWNTRACKS_NAMES)
    return b"[]"


def _osmand(query: bytes) -> bytes:
    params = form_fields(query.decode("latin-1"))
    if not params.get("id"):
        raise PingError(None, "malformed", "id (the device token) is required")
    ping = classic_ping(params)
    if ping is not None:
        check_ping(ping, time.time(), LIMITS, CLASSIC_NAMES)
    return b""


async def app(scope, receive, send) -> None:
    if scope["type"] == "lifespan":
        while (await receive())["type"] != "lifespan.shutdown":
            await send({"type": "lifespan.startup.complete"})
        await send({"type": "lifespan.shutdown.complete"})
        return
    body, more = b"", True
    while more:
        message = await receive()
        body += message.get("body", b"")
        more = message.get("more_body", False)
    status, ctype = 200, b"application/json"
    try:
        if scope["path"] == "/api/owntracks":
            out = _owntracks(scope["headers"], body)
        elif scope["path"] == "/api/osmand":
            out = _osmand(scope["query_string"])
            ctype = b"text/plain"
        else:
            status, out = 404, b""
    except (PingError, orjson.JSONDecodeError) as exc:
        status, out = 400, orjson.dumps({"detail": str(exc)})
    headers = [(b"content-type", ctype), (b"content-length", b"%d" % len(out))]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": out})


def fastapi_app():
    """The same endpoints as FastAPI routes (the issue's "parse-only FastAPI endpoint"): what
    the framework's routing and request objects cost on top of the minimal app."""
    api = FastAPI()

    def answer(parse, *args) -> Response:
        try:
            return Response(parse(*args), media_type="application/json")
        except (PingError, orjson.JSONDecodeError) as exc:
            return JSONResponse({"detail": str(exc)}, status_code=400)

    @api.post("/api/owntracks")
    async def owntracks(request: Request) -> Response:
        return answer(_owntracks, request.scope["headers"], await request.body())

    @api.api_route("/api/osmand", methods=["GET", "POST"])
    async def osmand(request: Request) -> Response:
        return answer(_osmand, request.scope["query_string"])

    return api


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(prog="python -m bench.apps_ref", description=__doc__.splitlines()[0])
    p.add_argument("--port", type=int, required=True)
    p.add_argument("--fastapi", action="store_true", help="FastAPI routes instead of the minimal ASGI app")
    args = p.parse_args(argv)
    uvicorn.run(
        fastapi_app() if args.fastapi else app,
        host="127.0.0.1",
        port=args.port,
        log_config=log_config(),
        log_level="info",
        access_log=Settings().ingest_access_log,  # as the ingest service
        lifespan="on",
    )


if __name__ == "__main__":
    main()
