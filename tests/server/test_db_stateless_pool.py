"""`create_pool(stateless=True)` (ingest's pools): releasing a connection skips asyncpg's reset
round trip (`RESET ALL; CLOSE ALL; UNLISTEN *; …`) but still rolls back an open transaction."""

from __future__ import annotations

from server.db import create_pool


async def test_stateless_pool_keeps_the_session_and_rolls_back(settings):
    pool = await create_pool(settings.database_url, 1, 1, stateless=True)
    try:
        async with pool.acquire() as conn:
            await conn.execute("SET statement_timeout = '1234ms'")
            await conn.execute("BEGIN")
            await conn.execute("CREATE TEMPORARY TABLE stateless_probe (x int)")
        async with pool.acquire() as conn:  # the same connection: the pool holds one
            # no RESET ALL ran on release (the round trip this pool saves)...
            assert await conn.fetchval("SHOW statement_timeout") == "1234ms"
            # ...but the transaction left open was rolled back
            assert not conn.is_in_transaction()
            assert await conn.fetchval("SELECT to_regclass('pg_temp.stateless_probe')") is None
    finally:
        await pool.close()


async def test_default_pool_resets_the_session(settings):
    pool = await create_pool(settings.database_url, 1, 1)
    try:
        async with pool.acquire() as conn:
            await conn.execute("SET statement_timeout = '1234ms'")
        async with pool.acquire() as conn:
            assert await conn.fetchval("SHOW statement_timeout") != "1234ms"
    finally:
        await pool.close()
