"""`quadriller users revoke`: remove a person from a campaign, effective on every server at once."""

from __future__ import annotations

from server.commandline import print_json, with_conn
from server.settings import Settings


async def cmd_users_revoke(args, settings: Settings) -> None:
    from server.auth.revocation import revoke
    from server.redis import create_redis

    redis = create_redis(settings.redis_url)
    try:
        done = await with_conn(
            settings,
            lambda c: revoke(c, redis, args.campaign, args.login, settings.shift_max_hours, settings.redis_prefix),
        )
    finally:
        await redis.aclose()
    print_json(done)


def add_user_commands(users) -> None:
    """Subcommands of `quadriller users` (beside `add`, in server/cli.py)."""
    r = users.add_parser(
        "revoke",
        help="remove a person from a campaign: tokens refused, open sockets "
        "closed, shift ended, on every server within 2 s",
    )
    r.add_argument("--campaign", required=True)
    r.add_argument("--login", required=True)
    r.set_defaults(func=cmd_users_revoke)
