"""Ingest's login cache (ingest/auth.py): after its first request, an app's login is answered
from the cache, re-checked in the background (`refresh`), and a removal is never undone by a
lookup or re-check that read the database before it."""

from __future__ import annotations

import asyncio
import contextlib

import pytest

from ingest.auth import DeviceAuth
from server.auth.queries import issue_device_token
from server.db import create_pool
from server.errors import Forbidden, Unauthenticated
from tests.conftest import add_user


class CountingPool:
    """The real pool, counting acquisitions (a query of the cache's own), optionally held at
    `gate` before each one, to run something while a lookup is in flight."""

    def __init__(self, pool) -> None:
        self.pool, self.acquired, self.gate = pool, 0, None

    @contextlib.asynccontextmanager
    async def acquire(self, **kw):
        self.acquired += 1
        if self.gate is not None:
            await self.gate.wait()
        async with self.pool.acquire(**kw) as conn:
            yield conn


async def user_id(pool, login: str) -> int:
    async with pool.acquire() as c:
        return await c.fetchval("SELECT id FROM users WHERE login = $1", login)


async def login_of(auth: DeviceAuth, user: dict):
    return await auth.authenticate(user["device_token"], login=user["login"], use_cache=True, device_only=True)


async def test_a_cached_login_is_answered_without_a_query_past_the_recheck_period(pool, campaign):
    counting = CountingPool(pool)
    auth = DeviceAuth(counting, ttl_s=0.2)  # type: ignore[arg-type]
    user = await add_user(pool, campaign["slug"], "volunteer")
    first = await login_of(auth, user)
    assert counting.acquired == 1
    await asyncio.sleep(0.5)  # past ttl_s: the former cache expired here, and the request queried
    for _ in range(3):
        assert await login_of(auth, user) == first
    assert counting.acquired == 1


async def test_the_recheck_drops_replaced_tokens_and_removed_members_and_updates_roles(pool, campaign):
    counting = CountingPool(pool)
    auth = DeviceAuth(counting, ttl_s=0.2)  # type: ignore[arg-type]
    replaced, promoted, removed = [await add_user(pool, campaign["slug"], "volunteer") for _ in range(3)]
    for user in (replaced, promoted, removed):
        assert (await login_of(auth, user)).role == "volunteer"
    async with pool.acquire() as c:
        new_token = await issue_device_token(c, await user_id(pool, replaced["login"]))
        await c.execute(
            "UPDATE memberships SET role = 'coordinator' WHERE user_id = $1", await user_id(pool, promoted["login"])
        )
        # no Redis message: only the re-check can tell this process
        await c.execute("DELETE FROM memberships WHERE user_id = $1", await user_id(pool, removed["login"]))
    refreshing = asyncio.create_task(auth.refresh_forever())
    try:
        await asyncio.sleep(0.6)
        queried = counting.acquired
        assert (await login_of(auth, promoted)).role == "coordinator"
        assert counting.acquired == queried  # picked up by the re-check, not by this request
    finally:
        refreshing.cancel()
    with pytest.raises(Unauthenticated):
        await login_of(auth, replaced)
    assert (await login_of(auth, dict(replaced, device_token=new_token))).user_id == await user_id(
        pool, replaced["login"]
    )
    with pytest.raises(Forbidden):
        await login_of(auth, removed)


async def test_logins_unused_for_idle_s_leave_the_cache_at_the_recheck(pool, campaign):
    counting = CountingPool(pool)
    auth = DeviceAuth(counting, ttl_s=60.0, idle_s=0.2)  # type: ignore[arg-type]
    user = await add_user(pool, campaign["slug"], "volunteer")
    await login_of(auth, user)
    await asyncio.sleep(0.3)
    await auth.refresh()
    queried = counting.acquired
    await login_of(auth, user)
    assert counting.acquired == queried + 1


async def test_a_lookup_overlapping_a_removal_is_not_cached(pool, campaign):
    """The lookup may have read the membership before the removal committed: caching its result
    would honour the removed person until the next re-check."""
    counting = CountingPool(pool)
    auth = DeviceAuth(counting, ttl_s=60.0)  # type: ignore[arg-type]
    user = await add_user(pool, campaign["slug"], "volunteer")
    counting.gate = asyncio.Event()
    lookup = asyncio.create_task(login_of(auth, user))
    await asyncio.sleep(0.05)
    assert not lookup.done()
    auth.forget(campaign["id"], await user_id(pool, user["login"]))
    counting.gate.set()
    await lookup
    queried = counting.acquired
    await login_of(auth, user)
    assert counting.acquired == queried + 1  # looked up again, not answered from the cache


async def test_only_the_logins_of_cache_readers_are_kept(pool, campaign):
    """A websocket logs in once per connection (use_cache=False): keeping its login would only
    make every re-check longer, for 20,000 connections."""
    counting = CountingPool(pool)
    auth = DeviceAuth(counting, ttl_s=60.0)  # type: ignore[arg-type]
    user = await add_user(pool, campaign["slug"], "volunteer")
    for _ in range(2):
        await auth.authenticate(user["device_token"], login=user["login"], device_only=True)
    assert counting.acquired == 2
    await login_of(auth, user)
    await login_of(auth, user)
    assert counting.acquired == 3


async def test_the_recheck_loop_survives_an_unexpected_error(settings, pool, campaign, caplog):
    """Were the loop to end, replaced tokens would be honoured until the process restarts."""
    own = await create_pool(settings.database_url, 1, 1)
    auth = DeviceAuth(own, ttl_s=0.1)
    user = await add_user(pool, campaign["slug"], "volunteer")
    await login_of(auth, user)
    await own.close()  # the next re-checks fail with asyncpg's "pool is closed", not a timeout
    refreshing = asyncio.create_task(auth.refresh_forever())
    try:
        await asyncio.sleep(0.5)
        assert not refreshing.done()
    finally:
        refreshing.cancel()
    assert "login cache not re-checked" in caplog.text
