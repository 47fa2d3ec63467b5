"""Debian's Chromium, headless, as the browser benchmarks and the browser tests launch it.

The flags keep it off the network (no updates, sync or QUIC) and off the GPU (SwiftShader).
"""

from __future__ import annotations

import shutil

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
