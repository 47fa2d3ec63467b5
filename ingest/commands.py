"""The ingest package's `quadriller` subcommands, registered through an entry point."""
from __future__ import annotations


def add_commands(sub) -> None:
    """Filled in as the ingest service lands (quadriller ingest, quadriller simulate)."""
