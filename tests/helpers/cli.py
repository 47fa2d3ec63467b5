"""Running the `quadriller` command in-process, reading its JSON answer."""

from __future__ import annotations

import contextlib
import io
import json

from server.cli import main as cli


def run(capsys, *argv: str) -> tuple[int, dict | None, str]:
    code = cli([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, (json.loads(out) if out.strip() else None), err


def run_uncaptured(*argv: str) -> tuple[int, dict | None, str]:
    """`run` without capsys (which is per test), for module-scoped fixtures."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = cli([str(a) for a in argv])
    return code, (json.loads(out.getvalue()) if out.getvalue().strip() else None), err.getvalue()
