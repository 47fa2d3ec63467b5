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
from server.db import connection
from server.errors import Forbidden, NotFound, Unauthenticated
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

_bearer = HTTPBearer(auto_error=False, description="The token printed by `quadriller users add`.")


async def current_user(
    conn: Conn, credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)]
) -> User:
    if credentials is None or not credentials.credentials:
        raise Unauthenticated("a bearer token is required (Authorization: Bearer <token>)")
    user = await auth_queries.user_by_token(conn, credentials.credentials)
    if user is None:
        raise Unauthenticated("unknown or revoked token")
    return user


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
