"""Running the `quadriller` command in-process, reading its JSON answer."""

from __future__ import annotations

import json

from server.cli import main as cli


def run(capsys, *argv: str) -> tuple[int, dict | None, str]:
    code = cli([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, (json.loads(out) if out.strip() else None), err
