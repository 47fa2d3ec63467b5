"""The ingest package's `quadriller` subcommands, registered through an entry point."""
from __future__ import annotations

import logging


def cmd_ingest(args, settings) -> None:
    from ingest.app import serve

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    serve(settings, host=args.host, port=args.port)


def add_commands(sub) -> None:
    p = sub.add_parser("ingest", help="run the ingest service (volunteer websocket, OwnTracks, Traccar)")
    p.add_argument("--host", help="default: QUADRILLER_INGEST_HOST (127.0.0.1)")
    p.add_argument("--port", type=int, help="default: QUADRILLER_INGEST_PORT (8001)")
    p.set_defaults(func=cmd_ingest)
    _add_simulator_commands(sub)


def _add_simulator_commands(sub) -> None:
    # The simulator lives in its own module; it registers its commands here when present.
    try:
        from ingest import simulator
    except ModuleNotFoundError as exc:
        if exc.name != "ingest.simulator":
            raise
        return
    if hasattr(simulator, "add_commands"):
        simulator.add_commands(sub)
