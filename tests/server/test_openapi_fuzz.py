"""schemathesis against the HQ server's own OpenAPI, over HTTP to a real server on real PostGIS
and Redis, with a real token per role: no 5xx, every documented response matches its schema,
and a volunteer (or any member) of campaign A never receives campaign B's data.

Bounded: QUADRILLER_FUZZ_EXAMPLES examples per operation (default 6), each sent with the three
roles' tokens, so that the suite stays within its time. docs/benchmarks.md reports a run.
"""

from __future__ import annotations

import asyncio
import os
import secrets

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error, response_schema_conformance

from server.app import create_app, uvicorn_config
from tests.conftest import add_user, start_shift
from tests.servers import UvicornThread, free_port

EXAMPLES = int(os.environ.get("QUADRILLER_FUZZ_EXAMPLES", "6"))
schema = schemathesis.openapi.from_dict(create_app().openapi())
ROLES = ("admin", "coordinator", "volunteer")


@pytest.fixture(scope="session")
async def fuzz_stack(settings_for_fuzz, pool):
    """Campaign A (fuzzed, with one user per role) and campaign B (a member whose name is a
    marker, on shift): the marker and B's slug must never reach a member of A."""
    from server.campaigns.queries import create_campaign

    async with pool.acquire() as c:
        a = dict(await create_campaign(c, "fuzz-a-" + secrets.token_hex(4), "fuzz A"))
        b = dict(await create_campaign(c, "fuzz-b-" + secrets.token_hex(4), "fuzz B"))
    tokens = {role: (await add_user(pool, a["slug"], role, f"A {role}"))["token"] for role in ROLES}
    marker = "Bmarker" + secrets.token_hex(6)
    other = await add_user(pool, b["slug"], "volunteer", marker)
    await start_shift(pool, b["slug"], other["login"])
    server = await asyncio.to_thread(
        UvicornThread(
            uvicorn_config(
                settings_for_fuzz.model_copy(update={"host": "127.0.0.1", "port": free_port()}), log_level="warning"
            ),
            "HQ server",
        ).start
    )
    yield {
        "url": server.http_url,
        "slug": a["slug"],
        "tokens": tokens,
        "forbidden": (marker, b["slug"], other["login"]),
    }
    await asyncio.to_thread(server.stop)


@pytest.fixture(scope="session")
def settings_for_fuzz(settings):
    return settings


@schema.parametrize()
@settings(
    max_examples=EXAMPLES, deadline=None, derandomize=True, database=None, suppress_health_check=list(HealthCheck)
)
def test_hq_api_fuzz(case, fuzz_stack):
    if "slug" in (case.path_parameters or {}):
        case.path_parameters["slug"] = fuzz_stack["slug"]  # reach the routes, not only the 404s
    for role in ROLES:
        headers = {"Authorization": f"Bearer {fuzz_stack['tokens'][role]}"}
        response = case.call_and_validate(
            base_url=fuzz_stack["url"], headers=headers, checks=[not_a_server_error, response_schema_conformance]
        )
        for secret in fuzz_stack["forbidden"]:
            assert secret not in response.text, f"{role} of campaign A got campaign B's {secret!r}"
