"""The migrations form one line: branches made in parallel (each adding its migration after the
same head) must be rechained when merged, or `alembic upgrade head` refuses to run."""

from __future__ import annotations

from pathlib import Path

from alembic.config import Config
from alembic.script import ScriptDirectory

ROOT = Path(__file__).resolve().parents[2]


def test_the_migrations_form_one_line_from_the_first_to_the_head():
    script = ScriptDirectory.from_config(Config(str(ROOT / "alembic.ini")))
    heads = script.get_heads()
    assert len(heads) == 1, f"several heads: {heads}"
    chain = list(script.walk_revisions())  # head first
    assert chain[-1].down_revision is None
    for newer, older in zip(chain, chain[1:]):
        assert newer.down_revision == older.revision, f"{newer.revision} does not follow {older.revision}"
    # Numbered files, numbered in order: the file name says where a migration stands.
    numbers = [int(r.revision) for r in reversed(chain)]
    assert numbers == sorted(numbers)
