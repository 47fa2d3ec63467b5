"""`quadriller demo setup` imports the demo city once; a second run imports nothing and keeps
the HQ token."""

from __future__ import annotations

import asyncio
import json

import asyncpg

from server.cli import main as cli
from server.demo import SLUG


def test_second_setup_imports_nothing(capsys, database_url, tmp_path):
    token_file = tmp_path / "demo-token"

    async def drop_demo():  # the demo campaign has a fixed slug: start this test from none
        c = await asyncpg.connect(database_url)
        await c.execute("DELETE FROM campaigns WHERE slug = $1", SLUG)
        await c.close()

    asyncio.run(drop_demo())
    assert cli(["demo", "setup", "--token-file", str(token_file)]) == 0
    first = json.loads(capsys.readouterr().out)
    assert first["imported"] == ["district", "neighbourhood", "polling_station", "results", "addresses", "layers"]
    token = token_file.read_text()
    assert token.startswith("qd_") and (token_file.stat().st_mode & 0o077) == 0

    assert cli(["demo", "setup", "--token-file", str(token_file)]) == 0
    second = json.loads(capsys.readouterr().out)
    assert second["imported"] == []
    assert token_file.read_text() == token
    asyncio.run(drop_demo())
