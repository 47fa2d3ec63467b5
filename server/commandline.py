"""What every `quadriller` subcommand shares: JSON on stdout, and one translated connection.

Kept apart from `server/cli.py` so that a domain's commands (`server/<domain>/commands.py`) can use
these without importing the parser that imports them (no cycle).
"""

from __future__ import annotations

import sys
from collections.abc import Awaitable, Callable
from typing import Any

import orjson

from server.settings import Settings


def print_json(obj: Any) -> None:
    sys.stdout.write(orjson.dumps(obj, option=orjson.OPT_INDENT_2, default=str).decode() + "\n")


async def with_conn(settings: Settings, work: Callable[..., Awaitable]):
    """Run `work(conn)` on a fresh connection, with database errors turned into domain errors."""
    from server.db import connect, translated_errors

    conn = await connect(settings.database_url)
    try:
        async with translated_errors():
            return await work(conn)
    finally:
        await conn.close()
