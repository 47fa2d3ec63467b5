"""The ingest package's `quadriller` subcommands, registered through an entry point."""

from __future__ import annotations

import logging


def cmd_ingest(args, settings) -> None:
    from ingest.app import serve

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    workers = args.workers or settings.ingest_workers
    if workers > 1:
        from ingest.workers import serve_workers

        serve_workers(settings, args.host or settings.ingest_host, args.port or settings.ingest_port, workers)
    else:
        serve(settings, host=args.host, port=args.port)


def add_commands(sub) -> None:
    p = sub.add_parser("ingest", help="run the ingest service (volunteer websocket, OwnTracks, Traccar)")
    p.add_argument("--host", help="default: QUADRILLER_INGEST_HOST (127.0.0.1)")
    p.add_argument("--port", type=int, help="default: QUADRILLER_INGEST_PORT (8001)")
    p.add_argument(
        "--workers",
        type=int,
        help="processes sharing the port (SO_REUSEPORT); "
        "default: QUADRILLER_INGEST_WORKERS (1). One per core is the sweet spot",
    )
    p.set_defaults(func=cmd_ingest)
