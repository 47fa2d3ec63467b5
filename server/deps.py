"""Annotated dependency aliases, so that routes read like prose:

async def route(slug: str, member: HQMember, conn: Conn): ...
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Annotated

import asyncpg
import redis.asyncio as aioredis
from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from server.limits import Code
from server.auth import queries as auth_queries
from server.auth.schemas import Membership, User
from server.auth.tokens import is_session_token
from server.db import connection
from server.errors import Forbidden, NotFound, Unauthenticated
from server.sessions import queries as session_queries
from server.settings import Settings


async def get_conn(request: Request) -> AsyncIterator[asyncpg.Connection]:
    # The one boundary for database errors: raised while the route holds the connection, they
    # come back through this yield and leave translated (503 when the database is away).
    async with connection(request.state.pool, request.state.settings.db_acquire_timeout_s) as conn:
        yield conn


def get_pool(request: Request) -> asyncpg.Pool:
    return request.state.pool


def get_redis(request: Request) -> aioredis.Redis:
    return request.state.redis


def get_settings(request: Request) -> Settings:
    return request.state.settings


Conn = Annotated[asyncpg.Connection, Depends(get_conn)]
Pool = Annotated[asyncpg.Pool, Depends(get_pool)]
Redis = Annotated[aioredis.Redis, Depends(get_redis)]
AppSettings = Annotated[Settings, Depends(get_settings)]

_bearer = HTTPBearer(
    auto_error=False,
    description="The API token printed by `quadriller users add`, or an HQ session token (POST /api/sessions).",
)
MAX_TOKEN_CHARS = 200  # ours are about 50: anything longer is not worth hashing


def bearer_token(credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)]) -> str:
    if credentials is None or not credentials.credentials:
        raise Unauthenticated("a bearer token is required (Authorization: Bearer <token>)")
    if len(credentials.credentials) > MAX_TOKEN_CHARS:
        raise Unauthenticated("malformed token")
    return credentials.credentials


BearerToken = Annotated[str, Depends(bearer_token)]


async def api_token_user(conn: Conn, token: BearerToken) -> User:
    """The caller, by their long-lived API token only: what creates sessions and device tokens,
    so that a stolen session token cannot outlive its session."""
    if is_session_token(token):
        raise Forbidden("this needs the API token (qd_…), not a session token", code="api_token_required")
    user = await auth_queries.user_by_token(conn, token)
    if user is None:
        raise Unauthenticated("unknown or revoked token")
    return user


async def current_user(conn: Conn, token: BearerToken) -> User:
    """The caller, by the API token (scripts, the CLI's users, the phone page) or an HQ session
    token (the HQ page); an expired session is a 401 with code `session_expired`."""
    if is_session_token(token):
        return await session_queries.user_by_session_token(conn, token)
    return await api_token_user(conn, token)


ApiTokenUser = Annotated[User, Depends(api_token_user)]
CurrentUser = Annotated[User, Depends(current_user)]


def require_role(*roles: str):
    """A dependency giving the caller's membership of the campaign named by the `slug` path
    parameter, if their role is one of `roles`.

    Non-members get 404, not 403, so that a campaign's existence does not leak to outsiders.
    """

    async def dependency(slug: Code, user: CurrentUser, conn: Conn) -> Membership:
        member = await auth_queries.membership(conn, user, slug)
        if member is None:
            raise NotFound(f"no campaign {slug!r}")
        if member.role not in roles:
            raise Forbidden(f"this needs one of the roles {', '.join(roles)}; you are {member.role}")
        return member

    return dependency


AnyMember = Annotated[Membership, Depends(require_role("admin", "coordinator", "volunteer"))]
HQMember = Annotated[Membership, Depends(require_role("admin", "coordinator"))]
AdminMember = Annotated[Membership, Depends(require_role("admin"))]
