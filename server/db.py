"""asyncpg pool with codecs, and the one place where database errors become domain errors.

The boundary is `connection(pool)` (and the `Conn` dependency built on it): whatever the
database does wrong while a connection is handed out, a time-out, a refused or lost
connection, a constraint, leaves it as a `QuadrillerError` (problem details, 503 when the
database is away), never as a bare asyncpg or socket error.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator

import asyncpg
import orjson
import shapely
from fastapi import FastAPI, Request

from server.errors import Conflict, InvalidInput, NotFound, QuadrillerError, ServiceUnavailable, problem

# How long a request waits for a free pooled connection before it is told "try again later".
ACQUIRE_TIMEOUT_S = 5.0


async def _init_connection(conn: asyncpg.Connection) -> None:
    # Binary jsonb is a version byte (1) then the text: binary keeps COPY possible.
    await conn.set_type_codec(
        "jsonb",
        schema="pg_catalog",
        format="binary",
        encoder=lambda v: b"\x01" + orjson.dumps(v),
        decoder=lambda b: orjson.loads(b[1:]),
    )
    await conn.set_type_codec(
        "json",
        schema="pg_catalog",
        format="binary",
        encoder=orjson.dumps,
        decoder=orjson.loads,
    )
    # PostGIS geometry <-> shapely through WKB; only once the extension exists (after migrations).
    has_postgis = await conn.fetchval("SELECT to_regtype('public.geometry') IS NOT NULL")
    if has_postgis:
        await conn.set_type_codec(
            "geometry",
            schema="public",
            format="binary",
            encoder=lambda g: shapely.to_wkb(g, include_srid=True, flavor="extended"),
            decoder=shapely.from_wkb,
        )


async def _keep_session(conn: asyncpg.Connection) -> None:
    """A pool `reset` with no round trip: asyncpg still rolls back an open transaction first
    (`Connection._reset`); what is skipped is `RESET ALL; CLOSE ALL; UNLISTEN *; …`, one round
    trip per release, for sessions that never SET, LISTEN, lock or keep a cursor."""


async def create_pool(dsn: str, min_size: int = 1, max_size: int = 10, stateless: bool = False) -> asyncpg.Pool:
    """`stateless`: the pool's users keep no session state (ingest's hot paths: a release per
    batch and per login), so releasing skips the reset round trip (about a tenth of an app
    request's CPU in issue 13's profile)."""
    try:
        return await asyncpg.create_pool(
            dsn,
            min_size=min_size,
            max_size=max_size,
            init=_init_connection,
            command_timeout=120,
            reset=_keep_session if stateless else None,
        )
    except (OSError, asyncpg.PostgresError) as exc:
        raise ServiceUnavailable(f"cannot connect to PostgreSQL: {exc}") from exc


async def connect(dsn: str) -> asyncpg.Connection:
    try:
        conn = await asyncpg.connect(dsn)
    except (OSError, asyncpg.PostgresError) as exc:
        raise ServiceUnavailable(f"cannot connect to PostgreSQL: {exc}") from exc
    await _init_connection(conn)
    return conn


def translate(exc: asyncpg.PostgresError) -> Exception:
    """Map an asyncpg error to the domain error a user should see."""
    detail = getattr(exc, "detail", None) or str(exc)
    if isinstance(exc, asyncpg.UniqueViolationError):
        return Conflict(f"already exists: {detail}")
    if isinstance(exc, asyncpg.ForeignKeyViolationError):
        return NotFound(f"refers to something that does not exist: {detail}")
    if isinstance(
        exc,
        (
            asyncpg.CheckViolationError,
            asyncpg.NotNullViolationError,
            asyncpg.DataError,
            asyncpg.InvalidTextRepresentationError,
        ),
    ):
        return InvalidInput(f"rejected by the database: {exc}")
    if isinstance(
        exc,
        (
            asyncpg.CannotConnectNowError,
            asyncpg.ConnectionDoesNotExistError,
            asyncpg.PostgresConnectionError,
            asyncpg.TooManyConnectionsError,
            asyncpg.AdminShutdownError,
        ),
    ):
        return ServiceUnavailable(f"database unavailable: {exc}")
    return exc


@contextlib.asynccontextmanager
async def translated_errors() -> AsyncIterator[None]:
    try:
        yield
    except asyncpg.PostgresError as exc:
        mapped = translate(exc)
        if mapped is exc:
            raise
        raise mapped from exc
    except TimeoutError as exc:
        # A full pool (acquire) or a statement past command_timeout: the database is overloaded.
        raise ServiceUnavailable("database did not answer in time, try again later") from exc
    except (OSError, asyncpg.InterfaceError) as exc:
        if isinstance(exc, asyncpg.InterfaceError) and "connection" not in str(exc).lower():
            raise
        raise ServiceUnavailable(f"database unavailable: {exc}") from exc
    except asyncpg.exceptions.InternalClientError as exc:
        # Seen when the backend was terminated under a pooled connection (a PostgreSQL restart)
        # and the next statement races asyncpg's handling of the loss: try again, not a 500.
        raise ServiceUnavailable(f"database connection lost: {exc}") from exc


@contextlib.asynccontextmanager
async def connection(pool: asyncpg.Pool, timeout: float = ACQUIRE_TIMEOUT_S) -> AsyncIterator[asyncpg.Connection]:
    """A pooled connection; errors while acquiring or using it come out translated."""
    async with translated_errors(), pool.acquire(timeout=timeout) as conn:
        yield conn


def install_database_error_handler(app: FastAPI) -> None:
    """For database errors raised outside `connection` (e.g. a route using the pool itself):
    the same translation, and an unmapped one is a 500 problem naming its class only."""

    @app.exception_handler(asyncpg.PostgresError)
    async def _database(request: Request, exc: asyncpg.PostgresError):
        mapped = translate(exc)
        if isinstance(mapped, QuadrillerError):
            return problem(mapped.status, mapped.title, mapped.detail, request.url.path)
        return problem(500, "Database error", type(exc).__name__, request.url.path)
