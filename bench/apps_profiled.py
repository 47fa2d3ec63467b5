"""`python -m bench.apps_profiled FILE ARGS…`: `python -m server.cli ARGS…` (the ingest service)
with cProfile toggled by signals, so that a profile covers the measured window only (not the
start-up, nor the priming requests): SIGUSR1 starts it, SIGUSR2 stops it and writes FILE."""

from __future__ import annotations

import cProfile
import signal
import sys

from server.cli import main

PROFILE = cProfile.Profile()


def _start(*_) -> None:
    PROFILE.enable()


def _stop_and_write(*_) -> None:
    PROFILE.disable()
    PROFILE.dump_stats(sys.argv[1])


if __name__ == "__main__":
    signal.signal(signal.SIGUSR1, _start)
    signal.signal(signal.SIGUSR2, _stop_and_write)
    sys.exit(main(sys.argv[2:]))
