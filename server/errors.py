"""One error base class, rendered as RFC 9457 problem details.

Domain code raises `QuadrillerError` subclasses; it never builds HTTP responses itself. The CLI
catches the same classes and prints their message, so both interfaces report the same reasons.
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException


class QuadrillerError(Exception):
    status = 400
    title = "Bad request"

    def __init__(self, detail: str, **extra: Any) -> None:
        super().__init__(detail)
        self.detail = detail
        self.extra = extra


class InvalidInput(QuadrillerError):
    status = 422
    title = "Invalid input"


class NotFound(QuadrillerError):
    status = 404
    title = "Not found"


class Conflict(QuadrillerError):
    status = 409
    title = "Conflict"


class Unauthenticated(QuadrillerError):
    status = 401
    title = "Unauthenticated"
    challenge = "Bearer"  # the WWW-Authenticate scheme of the endpoint (HTTP Basic for OwnTracks)


class Forbidden(QuadrillerError):
    status = 403
    title = "Forbidden"


class ServiceUnavailable(QuadrillerError):
    status = 503
    title = "Service unavailable"


PROBLEM_JSON = "application/problem+json"


def problem(
    status: int, title: str, detail: str, instance: str, challenge: str = "Bearer", **extra: Any
) -> JSONResponse:
    body = {"type": "about:blank", "title": title, "status": status, "detail": detail, "instance": instance}
    body.update(extra)
    headers = {}
    if status == 401:
        headers["WWW-Authenticate"] = challenge
    retry_ms = extra.get("retry_after_ms")
    if isinstance(retry_ms, int) and status in (429, 503):
        headers["Retry-After"] = str(max(1, -(-retry_ms // 1000)))  # whole seconds, rounded up
    return JSONResponse(body, status_code=status, media_type=PROBLEM_JSON, headers=headers or None)


def install_error_handlers(app: FastAPI) -> None:
    """Problem details for domain errors, bad requests and HTTP errors. Database errors are
    server/db.py's (`install_database_error_handler`): this module imports nothing of ours."""

    @app.exception_handler(QuadrillerError)
    async def _domain(request: Request, exc: QuadrillerError):
        challenge = getattr(exc, "challenge", "Bearer")
        return problem(exc.status, exc.title, exc.detail, request.url.path, challenge, **exc.extra)

    @app.exception_handler(RequestValidationError)
    async def _validation(request: Request, exc: RequestValidationError):
        errors = [{"loc": list(e["loc"]), "msg": e["msg"]} for e in exc.errors()]
        first = errors[0] if errors else {"loc": [], "msg": "invalid request"}
        detail = f"{'.'.join(str(p) for p in first['loc'])}: {first['msg']}"
        return problem(422, "Invalid request", detail, request.url.path, errors=errors)

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException):
        return problem(exc.status_code, str(exc.detail), str(exc.detail), request.url.path)
