"""Test set-up against real PostGIS and Redis.

The suite creates its own throw-away database (from QUADRILLER_TEST_DATABASE_URL, which
scripts/test.sh sets), migrates it once, and drops it at the end. Redis uses database 15,
flushed at the start. Each test makes its own campaign, so tests never see each other's data;
the `paris` fixture is one imported campaign shared read-only, because importing Paris takes
seconds.
"""

from __future__ import annotations

import os
import secrets
import uuid

import asyncpg
import httpx
import pytest
import redis.asyncio as aioredis

from server.app import create_app
from server.cli import main as cli_main
from server.db import connect, create_pool
from server.settings import PROJECT_ROOT, Settings

DATA = PROJECT_ROOT / "data" / "paris"


def _base_url() -> str:
    url = os.environ.get("QUADRILLER_TEST_DATABASE_URL") or os.environ.get("QUADRILLER_DATABASE_URL")
    if not url:
        pytest.exit("set QUADRILLER_TEST_DATABASE_URL, or run the suite with scripts/test.sh", returncode=4)
    return url


def _with_db(url: str, name: str) -> str:
    return url.rsplit("/", 1)[0] + "/" + name


@pytest.fixture(scope="session")
async def database_url() -> str:
    base = _base_url()
    name = f"quadriller_test_{os.getpid()}_{secrets.token_hex(3)}"
    admin = await asyncpg.connect(_with_db(base, "postgres"))
    await admin.execute(f'CREATE DATABASE "{name}" TEMPLATE template0')
    url = _with_db(base, name)
    # The CLI reads its settings from the environment, like a user's shell.
    os.environ["QUADRILLER_DATABASE_URL"] = url
    assert cli_main(["db", "upgrade"]) == 0
    yield url
    await admin.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1", name)
    await admin.execute(f'DROP DATABASE IF EXISTS "{name}"')
    await admin.close()


@pytest.fixture(scope="session")
async def redis_url() -> str:
    base = os.environ.get("QUADRILLER_TEST_REDIS_URL") or os.environ.get(
        "QUADRILLER_REDIS_URL", "redis://127.0.0.1:6379/0"
    )
    url = base.rsplit("/", 1)[0] + "/15"
    client = aioredis.from_url(url)
    await client.flushdb()
    await client.aclose()
    os.environ["QUADRILLER_REDIS_URL"] = url
    return url


@pytest.fixture(scope="session")
async def settings(database_url: str, redis_url: str) -> Settings:
    return Settings(database_url=database_url, redis_url=redis_url)


@pytest.fixture(scope="session")
async def pool(settings: Settings):
    pool = await create_pool(settings.database_url, 1, 8)
    yield pool
    await pool.close()


@pytest.fixture
async def conn(settings: Settings):
    c = await connect(settings.database_url)
    yield c
    await c.close()


@pytest.fixture
async def campaign(pool) -> dict:
    """A fresh campaign owned by one test."""
    from server.campaigns.queries import create_campaign

    slug = "t-" + uuid.uuid4().hex[:12]
    async with pool.acquire() as c:
        row = await create_campaign(c, slug, f"test {slug}")
    return dict(row)


async def import_paris(c: asyncpg.Connection, campaign_id: int, **options) -> None:
    """Paris into a campaign; `options` go to server.demo.import_city (skip_addresses, districts,
    area_index: a Paris import spends most of its time on the addresses and the area index)."""
    from server.demo import import_city

    await import_city(c, campaign_id, **options)


async def new_paris_campaign(c: asyncpg.Connection, prefix: str, title: str, **options) -> dict:
    """A new campaign (slug PREFIX-random) with Paris imported into it (`options`: import_paris)."""
    from server.campaigns.queries import create_campaign

    row = dict(await create_campaign(c, f"{prefix}-{uuid.uuid4().hex[:8]}", title))
    await import_paris(c, row["id"], **options)
    return row


@pytest.fixture(scope="session")
async def paris(pool) -> dict:
    """Paris imported once (3 levels + European 2024 results), shared read-only."""
    async with pool.acquire() as c:
        return await new_paris_campaign(c, "paris", "Paris (tests)")


async def add_user(pool, slug: str, role: str, name: str = "Test", agreed: bool = False) -> dict:
    """A new member (login, token, device_token); `agreed`: who also agreed to the current
    location-sharing text, so that any path may start their shift."""
    from server.auth.queries import add_user as _add

    async with pool.acquire() as c:
        user = (await _add(c, slug, role, name)).model_dump()
    if agreed:
        await agree_to_location(pool, slug, user["login"])
    return user


async def _ids(c, campaign: str | int, user: str | int) -> tuple[int, int]:
    """(campaign id, user id) from ids or slug and login."""
    cid = (
        campaign
        if isinstance(campaign, int)
        else await c.fetchval("SELECT id FROM campaigns WHERE slug = $1", campaign)
    )
    uid = user if isinstance(user, int) else await c.fetchval("SELECT id FROM users WHERE login = $1", user)
    return cid, uid


async def agree_to_location(pool, campaign: str | int, user: str | int) -> None:
    """Record the user's (by id or login) consent to the current location-sharing text, in a
    campaign given by id or slug: every path that starts a shift requires it."""
    from server.consent.queries import agree
    from server.consent.texts import current_version

    async with pool.acquire() as c:
        cid, uid = await _ids(c, campaign, user)
        await agree(c, cid, uid, current_version("location"))


async def start_shift(pool, campaign: str | int, user: str | int) -> int:
    """Open a shift (pings are taken only during one) for a user given by id or login, in a
    campaign given by id or slug, after their consent to location sharing, as every real path
    requires; returns the shift id."""
    from server.shifts.queries import start

    await agree_to_location(pool, campaign, user)
    async with pool.acquire() as c:
        cid, uid = await _ids(c, campaign, user)
        shift, _ = await start(c, cid, uid, 12.0)
    return shift.id


async def set_vocabulary(pool, campaign_id: int) -> list[str]:
    """Give the campaign the example vocabulary of data/tags.csv (the one the demo uses); returns its keys."""
    from server.tags.queries import replace
    from server.tags.vocabulary import read_vocabulary_csv

    tags = read_vocabulary_csv((PROJECT_ROOT / "data" / "tags.csv").read_bytes())
    async with pool.acquire() as c:
        await replace(c, campaign_id, tags)
    return [t.tag for t in tags]


@pytest.fixture(scope="session")
async def app_state(settings: Settings):
    """The app and its lifespan state, opened once for the session."""
    app = create_app(settings)
    async with app.router.lifespan_context(app) as state:
        yield app, state


@pytest.fixture
async def client(app_state):
    app, state = app_state

    async def with_state(scope, receive, send):
        # httpx's ASGI transport runs no lifespan: hand the session's state to each request.
        scope["state"] = dict(state)
        await app(scope, receive, send)

    transport = httpx.ASGITransport(app=with_state)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as c:
        yield c


def bearer(token: str) -> dict:
    return {"Authorization": f"Bearer {token}"}


GREEN_SPACES = DATA / "paris_espaces_verts_points_geocoded.geojson"
GRID_200M = DATA / "paris_filosofi_2021_carreaux_200m.geojson"


@pytest.fixture(scope="session")
async def paris_2026(pool, tmp_path_factory) -> dict:
    """Paris with the municipal 2026 round 1 results and its income and social-housing layers, for
    the fitted model (tests fit and store their own models in it)."""
    from server.demo import import_municipal_2026

    async with pool.acquire() as c:
        # no area index: the model tests never locate a point (the stations' features need the addresses)
        row = await new_paris_campaign(c, "model", "Paris model (tests)", area_index=False)
        await import_municipal_2026(c, row["id"], tmp_path_factory.mktemp("m2026"))
    return row


@pytest.fixture(scope="session")
async def paris_layers(pool) -> dict:
    """Paris with its addresses, the green spaces (points with their area) and the INSEE 200 m
    grid (households as value) as layers, imported once for the targeting tests, read-only."""
    from server.demo import import_layers

    async with pool.acquire() as c:
        # no area index: nothing locates a point in this campaign (the zones need the addresses)
        row = await new_paris_campaign(c, "layers", "Paris layers (tests)", area_index=False)
        await import_layers(c, row["id"])
    return row
