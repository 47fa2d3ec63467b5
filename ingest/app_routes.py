"""The app routes (`/api/owntracks`, `/api/osmand`) served as plain ASGI, ahead of FastAPI.

Each app request is one fix, so the web stack's fixed cost is most of a request's CPU: FastAPI's
routing, dependency resolution, `Request` and exception middlewares cost about as much as
parsing, checking and queueing the fix (issue 13's profile, docs/benchmarks.md). Here a request
is matched on its path and method and answered from the scope: the same handlers
(`owntracks_fix`, `osmand_fix`), the same problem details for every refusal (server/errors.py),
the same headers. It wraps the whole FastAPI app (ingest/app.py: `uvicorn_config`), so that
these requests skip FastAPI's own per-request work too (its telemetry check, body limit and
error middlewares). The FastAPI routes stay, for the OpenAPI document and for any request this
does not match (another method: FastAPI answers 405 as before).
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable

import asyncpg

from ingest.device_http import NOT_STORED, Answer, AppRequest
from ingest.owntracks import owntracks_fix
from ingest.traccar import osmand_fix
from server.db import translate
from server.errors import QuadrillerError, problem

log = logging.getLogger("ingest.apps")
Handler = Callable[[AppRequest], Awaitable[Answer]]
ROUTES: dict[tuple[str, str], Handler] = {
    ("POST", "/api/owntracks"): owntracks_fix,
    ("GET", "/api/osmand"): osmand_fix,
    ("POST", "/api/osmand"): osmand_fix,
}
_NOT_STORED = NOT_STORED.lower().encode()


class AppRoutes:
    """ASGI middleware: the app routes answered here, anything else passed to `app`."""

    def __init__(self, app) -> None:
        self.app = app

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] == "http":
            handler = ROUTES.get((scope["method"], scope["path"]))
            if handler is not None:
                await serve(handler, scope, receive, send)
                return
        await self.app(scope, receive, send)


async def serve(handler: Handler, scope, receive, send) -> None:
    try:
        answer = await handler(AppRequest(scope, receive))
    except QuadrillerError as exc:
        challenge = getattr(exc, "challenge", "Bearer")
        await problem(exc.status, exc.title, exc.detail, scope["path"], challenge, **exc.extra)(scope, receive, send)
        return
    except asyncpg.PostgresError as exc:  # as server/db.py's install_database_error_handler
        mapped = translate(exc)
        if isinstance(mapped, QuadrillerError):
            response = problem(mapped.status, mapped.title, mapped.detail, scope["path"])
        else:
            response = problem(500, "Database error", type(exc).__name__, scope["path"])
        await response(scope, receive, send)
        return
    except Exception:
        # As Starlette's ServerErrorMiddleware: the traceback in the log, a 500 to the client.
        log.exception("%s %s failed", scope["method"], scope["path"])
        await problem(500, "Internal server error", "internal error", scope["path"])(scope, receive, send)
        return
    headers = [(b"content-length", str(len(answer.body)).encode())]
    if answer.media_type:
        headers.append((b"content-type", answer.media_type.encode()))
    if answer.not_stored:
        headers.append((_NOT_STORED, answer.not_stored.encode()))
    await send({"type": "http.response.start", "status": 200, "headers": headers})
    await send({"type": "http.response.body", "body": answer.body})
