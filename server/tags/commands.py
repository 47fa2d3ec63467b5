"""`quadriller tags set --campaign SLUG --file tags.csv` and `quadriller tags list`."""

from __future__ import annotations

from pathlib import Path

from server.commandline import print_json, with_conn
from server.settings import Settings


async def cmd_tags_set(args, settings: Settings) -> None:
    from server.campaigns.queries import campaign_by_slug
    from server.tags.queries import replace
    from server.tags.vocabulary import read_vocabulary_csv

    tags = read_vocabulary_csv(args.file.read_bytes(), args.file.name)

    async def work(conn):
        campaign = await campaign_by_slug(conn, args.campaign)
        return await replace(conn, campaign["id"], tags)

    count, removed = await with_conn(settings, work)
    print_json({"campaign": args.campaign, "tags": count, "removed": removed})


async def cmd_tags_list(args, settings: Settings) -> None:
    from server.campaigns.queries import campaign_by_slug
    from server.tags.queries import vocabulary

    async def work(conn):
        return await vocabulary(conn, (await campaign_by_slug(conn, args.campaign))["id"])

    print_json({"campaign": args.campaign, "tags": [t.__dict__ for t in await with_conn(settings, work)]})


def add_commands(sub) -> None:
    tags = sub.add_parser("tags", help="the campaign's closed vocabulary of topics").add_subparsers(
        dest="action", required=True
    )
    s = tags.add_parser("set", help="replace the vocabulary from a CSV with columns tag, label_fr, label_en")
    s.add_argument("--campaign", required=True)
    s.add_argument("--file", required=True, type=Path)
    s.set_defaults(func=cmd_tags_set)
    ls = tags.add_parser("list", help="print the vocabulary")
    ls.add_argument("--campaign", required=True)
    ls.set_defaults(func=cmd_tags_list)
