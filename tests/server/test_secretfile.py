"""Secret files are created private, never written then chmod-ed."""

from __future__ import annotations

import os

from server.secretfile import write_secret


def test_new_and_replaced_secret_files_are_0600(tmp_path):
    old_umask = os.umask(0o022)
    try:
        path = tmp_path / "deep" / "token"
        write_secret(path, "qd_one")
        assert path.read_text() == "qd_one" and path.stat().st_mode & 0o777 == 0o600
        path.chmod(0o644)  # an old file, world-readable: replaced, not rewritten in place
        write_secret(path, "qd_two")
        assert path.read_text() == "qd_two" and path.stat().st_mode & 0o777 == 0o600
        assert [p.name for p in path.parent.iterdir()] == ["token"]  # no temporary left behind
    finally:
        os.umask(old_umask)
