"""SQL statements live in server/sql/<domain>/<name>.sql, one statement per file, loaded once."""

from __future__ import annotations

from functools import cache
from pathlib import Path

SQL_DIR = Path(__file__).parent / "sql"


@cache
def sql(name: str) -> str:
    """Return the text of `server/sql/{name}.sql`, e.g. sql("areas/by_code")."""
    path = SQL_DIR / f"{name}.sql"
    return path.read_text(encoding="utf-8")
