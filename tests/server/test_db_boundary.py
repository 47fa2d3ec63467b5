"""The database error boundary (server/db.py `connection`, the `Conn` dependency): a database
that is away or saturated is a 503 problem, never a bare 500."""

from __future__ import annotations

import socket

import httpx

from server.db import create_pool
from tests.conftest import add_user, bearer


def _closed_port() -> int:
    """A port nobody listens on: bound, read, released."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


async def _get(app_state, path: str, headers: dict, **state_overrides) -> httpx.Response:
    app, state = app_state

    async def with_state(scope, receive, send):
        scope["state"] = dict(state, **state_overrides)
        await app(scope, receive, send)

    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=with_state), base_url="http://test") as c:
        return await c.get(path, headers=headers)


def _assert_unavailable(r: httpx.Response) -> dict:
    assert r.status_code == 503, r.text
    assert r.headers["content-type"].startswith("application/problem+json")
    body = r.json()
    assert body["status"] == 503 and body["title"] == "Service unavailable"
    return body


async def test_database_away_is_503_problem(app_state):
    # min_size=0: the pool opens without connecting, as a server started before a database crash.
    away = await create_pool(f"postgresql://postgres@127.0.0.1:{_closed_port()}/quadriller", 0, 1)
    try:
        r = await _get(app_state, "/api/me", bearer("any-token"), pool=away)
    finally:
        await away.close()
    assert "database unavailable" in _assert_unavailable(r)["detail"]


async def test_pool_exhausted_is_503_problem(app_state, settings, campaign, pool):
    user = await add_user(pool, campaign["slug"], "admin")
    one = await create_pool(settings.database_url, 1, 1)
    impatient = settings.model_copy(update={"db_acquire_timeout_s": 0.2})
    try:
        ok = await _get(app_state, "/api/me", bearer(user["token"]), pool=one, settings=impatient)
        assert ok.status_code == 200, ok.text  # the same pool answers while a connection is free
        async with one.acquire():  # every connection taken: the request cannot get one in time
            r = await _get(app_state, "/api/me", bearer(user["token"]), pool=one, settings=impatient)
    finally:
        await one.close()
    assert "in time" in _assert_unavailable(r)["detail"]


async def test_terminated_backend_is_not_a_500(app_state, settings, campaign, pool, conn):
    """A backend killed under the pool (a PostgreSQL restart, an admin): the pool replaces the
    connection, and the request is answered, never with a bare 500."""
    user = await add_user(pool, campaign["slug"], "admin")
    one = await create_pool(settings.database_url, 1, 1)
    try:
        async with one.acquire() as c:
            pid = await c.fetchval("SELECT pg_backend_pid()")
        assert await conn.fetchval("SELECT pg_terminate_backend($1)", pid)  # its own connection
        r = await _get(app_state, "/api/me", bearer(user["token"]), pool=one)
    finally:
        await one.close()
    assert r.status_code in (200, 503), r.text
    if r.status_code == 503:
        _assert_unavailable(r)
