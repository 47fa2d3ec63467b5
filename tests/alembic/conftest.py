"""A scratch database per migration test: created empty, made the CLI's database for the test
(`quadriller db upgrade REV` then runs on it), and dropped after."""

from __future__ import annotations

import os
import secrets

import asyncpg
import pytest

from tests.conftest import _base_url, _with_db


@pytest.fixture
async def scratch_db(monkeypatch) -> str:
    base = _base_url()
    name = f"quadriller_mig_{secrets.token_hex(4)}"
    admin = await asyncpg.connect(_with_db(base, "postgres"))
    await admin.execute(f'CREATE DATABASE "{name}" TEMPLATE template0')
    url = _with_db(base, name)
    monkeypatch.setitem(os.environ, "QUADRILLER_DATABASE_URL", url)
    try:
        yield url
    finally:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.close()
