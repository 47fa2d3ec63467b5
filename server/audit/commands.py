"""`quadriller audit --campaign SLUG [--since ISO]`: the campaign's audited reads."""

from __future__ import annotations

import datetime as dt

from server.commandline import print_json, with_conn
from server.errors import InvalidInput
from server.settings import Settings


def parse_since(text: str | None) -> dt.datetime:
    if text is None:
        return dt.datetime.now(dt.UTC) - dt.timedelta(days=1)
    try:
        since = dt.datetime.fromisoformat(text)
    except ValueError:
        raise InvalidInput(
            f"--since {text!r}: an ISO 8601 date or time, e.g. 2026-12-01 or 2026-12-01T08:00Z"
        ) from None
    return since.replace(tzinfo=dt.UTC) if since.tzinfo is None else since


async def cmd_audit(args, settings: Settings) -> None:
    from server.audit.queries import listing
    from server.campaigns.queries import campaign_by_slug

    since = parse_since(args.since)

    async def work(conn):
        return await listing(conn, (await campaign_by_slug(conn, args.campaign))["id"], since, args.limit)

    print_json({"campaign": args.campaign, "since": since, "reads": await with_conn(settings, work)})


def add_commands(sub) -> None:
    a = sub.add_parser("audit", help="who read positions, replay, hexes, contacts and exports, and when")
    a.add_argument("--campaign", required=True)
    a.add_argument("--since", help="ISO 8601; default: 24 hours ago")
    a.add_argument("--limit", type=int, default=10_000)
    a.set_defaults(func=cmd_audit)
