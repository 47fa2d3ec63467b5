"""Secret files (tokens) created with their final mode.

Writing then chmod-ing leaves a window in which the file is readable by others (with the usual
umask 022); a file that already existed keeps its old mode through a write. So: a new file,
opened 0o600 by os.open, then renamed over the old one.
"""

from __future__ import annotations

import os
from pathlib import Path


def write_secret(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "w") as f:
            f.write(text)
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
