"""`quadriller retention run [--now ISO]`: apply every campaign's retention once."""

from __future__ import annotations

from server.commandline import print_json, with_conn
from server.settings import Settings


async def cmd_retention_run(args, settings: Settings) -> None:
    from server.audit.commands import parse_since
    from server.redis import create_redis
    from server.retention.job import run

    now = parse_since(args.now) if args.now else None
    redis = create_redis(settings.redis_url)
    try:
        print_json(await with_conn(settings, lambda conn: run(conn, redis, settings, now)))
    finally:
        await redis.aclose()


def add_commands(sub) -> None:
    r = sub.add_parser("retention", help="delete personal data past each campaign's retention").add_subparsers(
        dest="action", required=True
    )
    run = r.add_parser("run", help="run the retention job once (the HQ server also runs it on a timer)")
    run.add_argument("--now", help="ISO 8601: act as if it were then (default: now)")
    run.set_defaults(func=cmd_retention_run)
